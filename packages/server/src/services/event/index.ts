// EventService.
export { eventService } from "./event-service.js";
