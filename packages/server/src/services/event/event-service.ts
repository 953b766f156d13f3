// gitpod.v1.EventService: WatchEvents.
import { EventService } from "@gitpod-connect/schema/gitpod/v1/event";
import { defineService } from "../../rpc/index.js";
import { watchEvents } from "./watch-events.js";

export const eventService = defineService(EventService, watchEvents);
