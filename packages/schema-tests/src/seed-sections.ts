// Finds the documented examples of each RPC in an SDK reference page whose line breaks were lost.
//
// The page is Markdown flattened onto one line. An RPC is a level-2 section that names its route:
//   ## CreateService `…` **post** `/gitpod.v1.EnvironmentAutomationService/CreateService` …
//   ### Examples - Title: description. ```yaml key: value … ``` …   → request examples
//   ### Example ```python … ```                                       → SDK code, not an example
//   #### Response ```json { … } ```                                   → the response example
// Other level-2 sections ("## Domain Types") document models, not RPCs. Comments copied from
// descriptor.proto bring stray level-1 headings ("# JSON Mapping") into field docs, so only a
// level-2 heading ends a section.

export type ExampleKind = "request" | "response";

/** One example as the page shows it: the code block's text, not yet parsed. */
export interface RawExample {
  kind: ExampleKind;
  /** 1-based position among the RPC's examples of the same kind. */
  index: number;
  /** The bullet before a request example, "- Title: description.", split; empty for responses. */
  title: string;
  description: string;
  /** The code block's body, trimmed. */
  source: string;
}

export interface RpcSection {
  /** Fully qualified, e.g. "gitpod.v1.RunnerService". */
  service: string;
  method: string;
  examples: RawExample[];
}

type Segment = { text: string } | { language: string; body: string };

const FENCE = /```([A-Za-z]*)(?=\s)([\s\S]*?)```(?=\s|$)/g;
const HEADING = /(?:^|\s)(#{1,6}) (\S+)/g;
const ROUTE = /\*\*post\*\* `\/([A-Za-z0-9_.]+)\/([A-Za-z0-9_]+)`/;

/** Splits the page into prose and fenced code blocks, in order. */
function segments(page: string): Segment[] {
  const result: Segment[] = [];
  let last = 0;
  for (const match of page.matchAll(FENCE)) {
    result.push({ text: page.slice(last, match.index) });
    result.push({ language: match[1]!, body: match[2]!.trim() });
    last = match.index + match[0].length;
  }
  const rest = page.slice(last);
  if (rest.includes("```")) throw new Error(`unterminated code block near "${rest.slice(rest.indexOf("```"), 80)}"`);
  result.push({ text: rest });
  return result;
}

/** "- Title: description." → ["Title", "description."] */
function splitBullet(prose: string): [string, string] {
  const match = /^-\s+([^:]+):\s*([\s\S]*)$/.exec(prose.trim());
  if (!match) throw new Error(`expected "- Title: description" before a request example, got "${prose.trim()}"`);
  return [match[1]!.trim(), match[2]!.trim()];
}

/**
 * Every RPC section of the page with its request (```yaml under "### Examples") and response
 * (```json under "#### Response") examples, in page order. Throws on anything unexpected: a yaml
 * or json block elsewhere, a heading whose method differs from its route, an unterminated block.
 */
export function parseRpcSections(page: string): RpcSection[] {
  const sections: RpcSection[] = [];
  let current: RpcSection | undefined; // the RPC section we are in, if any
  let pendingHeading: string | undefined; // a level-2 heading whose route we have not seen yet
  let subsection = ""; // last level-3/4 heading inside the section, e.g. "### Examples"
  let proseSinceBlock = "";

  const place = (language: string, body: string) => {
    const where = current ? `${current.service}/${current.method}` : "outside any RPC section";
    if (language !== "yaml" && language !== "json") return; // python: SDK usage, not an example
    const kind: ExampleKind | undefined =
      language === "yaml" && subsection === "### Examples"
        ? "request"
        : language === "json" && subsection === "#### Response"
          ? "response"
          : undefined;
    if (!current || !kind) throw new Error(`unexpected \`\`\`${language} block under "${subsection}" (${where})`);
    const [title, description] = kind === "request" ? splitBullet(proseSinceBlock) : ["", ""];
    const index = current.examples.filter((e) => e.kind === kind).length + 1;
    current.examples.push({ kind, index, title, description, source: body });
  };

  for (const segment of segments(page)) {
    if ("language" in segment) {
      place(segment.language, segment.body);
      proseSinceBlock = "";
      continue;
    }
    // Walk the prose heading by heading; the text between headings may carry a route.
    let cursor = 0;
    const consumeProse = (text: string) => {
      proseSinceBlock += text;
      if (pendingHeading === undefined) return;
      const route = ROUTE.exec(text);
      if (!route) return;
      const [, service, method] = route;
      if (method !== pendingHeading) throw new Error(`section "## ${pendingHeading}" documents route ${service}/${method}`);
      current = { service: service!, method, examples: [] };
      sections.push(current);
      pendingHeading = undefined;
    };
    for (const heading of segment.text.matchAll(HEADING)) {
      consumeProse(segment.text.slice(cursor, heading.index));
      cursor = heading.index + heading[0].length;
      const [, hashes, word] = heading;
      if (hashes === "##") {
        current = undefined;
        pendingHeading = word;
        subsection = "";
      } else if (hashes === "###" || hashes === "####") {
        subsection = `${hashes} ${word}`;
      }
      // Level 1 (group titles, stray "# JSON Mapping" from copied comments) and 5-6 change nothing.
      proseSinceBlock = "";
    }
    consumeProse(segment.text.slice(cursor));
  }
  return sections;
}
