// The cases of the codec matrix: for each message type, populated instances (every field, each
// oneof member, edge values, map order) and binary inputs that carry unknown fields.
import { clone, type DescMessage, type Message, type Registry, toBinary, toJson } from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import { edgeProfiles, everyFieldProfile, mapOrderProfile, oneofWidth, populate, walkMessages, type ProfileName } from "./codec-instances.js";
import { reachableMessages } from "./codec-registry.js";
import { concatBytes, encodeUnknown, unknownFieldsFor } from "./codec-wire.js";

export type CaseKind = ProfileName | "oneof member" | "unknown fields: appended" | "unknown fields: leading";

export interface CodecCase {
  /** `<type> [<kind>]`, `<type> [oneof member 2]`: names the case in failures and to Python. */
  readonly id: string;
  readonly kind: CaseKind;
  readonly desc: DescMessage;
  /** The instance; in unknown-field cases, every message of it carries unknown fields. */
  readonly message: Message;
  /** The binary given to the decoders. */
  readonly input: Uint8Array;
  /** What re-encoding the decoded input must give (unknown fields after the known ones). */
  readonly expected: Uint8Array;
  /** The same without unknown fields: what JSON (which drops them) comes back to. */
  readonly expectedKnown: Uint8Array;
}

export interface CaseOptions {
  registry: Registry;
  /** Types an Any field may pack; none: a Duration. */
  anyTargets?: readonly DescMessage[];
}

function make(desc: DescMessage, kind: CaseKind, message: Message, id = `${desc.typeName} [${kind}]`, input?: Uint8Array): CodecCase {
  const expected = toBinary(desc, message);
  return { id, kind, desc, message, input: input ?? expected, expected, expectedKnown: toBinary(desc, message, { writeUnknownFields: false }) };
}

/** All cases for `types`, in type order. */
export function buildCases(types: readonly DescMessage[], options: CaseOptions): CodecCase[] {
  const anyTargets = options.anyTargets ?? [];
  const cases: CodecCase[] = [];
  for (const desc of types) {
    const reachable = reachableMessages(desc);
    cases.push(make(desc, "every field", populate(desc, everyFieldProfile, 0, anyTargets)));
    // Member 0 of every oneof is in the every-field case; these set members 1, 2, …
    const width = oneofWidth(reachable);
    for (let variant = 1; variant < width; variant++) {
      cases.push(make(desc, "oneof member", populate(desc, everyFieldProfile, variant, anyTargets), `${desc.typeName} [oneof member ${variant}]`));
    }
    for (const profile of edgeProfiles) cases.push(make(desc, profile.name, populate(desc, profile, 0, anyTargets)));
    if ([...reachable].some((t) => t.fields.some((f) => f.fieldKind === "map"))) {
      cases.push(make(desc, "edge: map order", populate(desc, mapOrderProfile, 0, anyTargets)));
    }

    // Unknown fields on every message of the instance (one of each wire type); protobuf-es writes
    // them after the known fields. The leading variant puts the top-level ones before the known
    // fields on the wire: decoders keep them, encoders write them last.
    const withUnknown = populate(desc, everyFieldProfile, 0, anyTargets);
    walkMessages(desc, withUnknown, (r) => r.setUnknown(unknownFieldsFor(r.desc)));
    cases.push(make(desc, "unknown fields: appended", withUnknown));
    const topUnknown = reflect(desc, withUnknown).getUnknown() ?? [];
    const rest = clone(desc, withUnknown);
    reflect(desc, rest).setUnknown([]);
    const leading = concatBytes(encodeUnknown(topUnknown), toBinary(desc, rest));
    cases.push(make(desc, "unknown fields: leading", withUnknown, undefined, leading));
  }
  // Every instance must have a JSON form: a value toJson rejects is a bug of the generator.
  for (const c of cases) toJson(c.desc, c.message, { registry: options.registry });
  return cases;
}

/** Cases grouped by type name, in the order of `types`. */
export function casesByType(cases: readonly CodecCase[]): Map<string, CodecCase[]> {
  const byType = new Map<string, CodecCase[]>();
  for (const c of cases) {
    const list = byType.get(c.desc.typeName) ?? [];
    list.push(c);
    byType.set(c.desc.typeName, list);
  }
  return byType;
}
