/** Sends one SDK command; a denied call becomes an AccessDeniedError naming the missing IAM action. */
import { AccessDeniedError, isAccessDenied } from "./aws-errors";
import { actionFor } from "./permissions";

export async function ask<T>(client: object, command: object, send: () => Promise<T>): Promise<T> {
  const action = actionFor(client, command);
  try {
    return await send();
  } catch (err) {
    if (isAccessDenied(err)) throw new AccessDeniedError(action, err);
    throw err;
  }
}

/** Like `ask`, but the service errors named in `absent` (not found) answer undefined. */
export async function askOptional<T>(client: object, command: object, absent: readonly string[], send: () => Promise<T>): Promise<T | undefined> {
  try {
    return await ask(client, command, send);
  } catch (err) {
    if (absent.includes((err as { name?: string }).name ?? "")) return undefined;
    throw err;
  }
}
