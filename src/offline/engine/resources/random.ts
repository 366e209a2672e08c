import { charsFrom, hexFrom, intFrom, uuidFrom } from "../deterministic";
import { type MockedResource, type ResourceContext } from "./context";

/**
 * @pulumi/random results, derived from the URN: stable across runs, different per resource, and
 * shaped by the same inputs (length, character classes) as the real provider's.
 */
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const NUMERIC = "0123456789";
const SPECIAL = "!@#$%&*()-_=+[]{}<>:?";
const WORDS = ["brave", "calm", "eager", "fond", "keen", "lucid", "merry", "noble", "quick", "sturdy", "otter", "heron", "lynx", "falcon", "marten", "ibex"];

function num(value: unknown, fallback: number): number {
  return typeof value === "number" ? value : fallback;
}

function flag(value: unknown): boolean {
  return value !== false;
}

function randomText(ctx: ResourceContext): string {
  const i = ctx.inputs;
  const special = typeof i.overrideSpecial === "string" && i.overrideSpecial !== "" ? i.overrideSpecial : SPECIAL;
  const classes: Array<[string, number]> = [];
  if (flag(i.upper)) classes.push([UPPER, num(i.minUpper, 0)]);
  if (flag(i.lower)) classes.push([LOWER, num(i.minLower, 0)]);
  if (flag(i.numeric ?? i.number)) classes.push([NUMERIC, num(i.minNumeric, 0)]);
  if (flag(i.special)) classes.push([special, num(i.minSpecial, 0)]);
  const alphabet = classes.map(([chars]) => chars).join("") || LOWER;
  const length = num(i.length, 16);
  // Satisfy the minimums first, then fill; the order is then shuffled deterministically.
  let chars = classes.map(([set, min], k) => charsFrom(set, min, ctx.urn, `min${k}`)).join("");
  chars += charsFrom(alphabet, Math.max(0, length - chars.length), ctx.urn, "fill");
  const list = [...chars];
  for (let k = list.length - 1; k > 0; k--) {
    const j = intFrom(k + 1, ctx.urn, "shuffle", String(k));
    [list[k], list[j]] = [list[j] as string, list[k] as string];
  }
  return list.join("");
}

export function mockRandomResource(ctx: ResourceContext): MockedResource {
  const i = ctx.inputs;
  const state: Record<string, unknown> = { ...i };
  switch (ctx.type) {
    case "random:index/randomPassword:RandomPassword": {
      state.result = randomText(ctx);
      state.bcryptHash = `$2a$10$${charsFrom(`./${UPPER}${LOWER}${NUMERIC}`, 53, ctx.urn, "bcrypt")}`;
      return { id: "none", state };
    }
    case "random:index/randomString:RandomString": {
      const result = randomText(ctx);
      state.result = result;
      return { id: result, state };
    }
    case "random:index/randomId:RandomId": {
      const bytes = Buffer.from(hexFrom(num(i.byteLength, 8) * 2, ctx.urn), "hex");
      const prefix = typeof i.prefix === "string" ? i.prefix : "";
      const b64Url = bytes.toString("base64url");
      Object.assign(state, {
        hex: `${prefix}${bytes.toString("hex")}`,
        b64Std: `${prefix}${bytes.toString("base64")}`,
        b64Url: `${prefix}${b64Url}`,
        dec: `${prefix}${BigInt(`0x${bytes.toString("hex") || "0"}`).toString()}`,
      });
      return { id: b64Url, state };
    }
    case "random:index/randomBytes:RandomBytes": {
      const bytes = Buffer.from(hexFrom(num(i.length, 32) * 2, ctx.urn), "hex");
      Object.assign(state, { base64: bytes.toString("base64"), hex: bytes.toString("hex") });
      return { id: "none", state };
    }
    case "random:index/randomInteger:RandomInteger": {
      const min = num(i.min, 0);
      const max = num(i.max, min);
      const result = min + intFrom(Math.max(1, max - min + 1), ctx.urn);
      state.result = result;
      return { id: String(result), state };
    }
    case "random:index/randomUuid:RandomUuid": {
      const result = uuidFrom(ctx.urn);
      state.result = result;
      return { id: result, state };
    }
    case "random:index/randomPet:RandomPet": {
      const words = Array.from({ length: num(i.length, 2) }, (_v, k) => WORDS[intFrom(WORDS.length, ctx.urn, String(k))] as string);
      const result = [typeof i.prefix === "string" ? i.prefix : undefined, ...words].filter((w) => w !== undefined).join(typeof i.separator === "string" ? i.separator : "-");
      state.result = result;
      return { id: result, state };
    }
    case "random:index/randomShuffle:RandomShuffle": {
      const input = Array.isArray(i.inputs) ? [...i.inputs] : [];
      for (let k = input.length - 1; k > 0; k--) {
        const j = intFrom(k + 1, ctx.urn, String(k));
        [input[k], input[j]] = [input[j], input[k]];
      }
      state.results = input.slice(0, num(i.resultCount, input.length));
      return { id: "-", state };
    }
    default:
      return { id: hexFrom(16, ctx.urn), state };
  }
}
