import { SHAPES } from './shapes.gen.js';

/** One member of a structure shape, as the request walks (decoding, auditing) need it. */
export interface Member {
  readonly name: string;
  readonly shape: string;
  /** lowerCamel, as AWS names the member in validation messages and CloudTrail logs its parameters. */
  readonly wireName: string;
  readonly required: boolean;
}

/** A structure member's name as validation messages and CloudTrail name it: lowerCamel. */
export function wireName(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}

const plans = new Map<string, readonly Member[]>();

/** A structure's members, worked out once per shape: every request walks its input at least twice. */
export function membersOf(shapeName: string): readonly Member[] {
  let plan = plans.get(shapeName);
  if (!plan) {
    const s = SHAPES[shapeName];
    plan = Object.entries(s?.members ?? {}).map(([name, shape]) => ({
      name, shape, wireName: wireName(name), required: s?.required?.includes(name) ?? false,
    }));
    plans.set(shapeName, plan);
  }
  return plan;
}
