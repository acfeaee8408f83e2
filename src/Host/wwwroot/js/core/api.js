// The JSON API as the pages call it: same origin, the session cookie, JSON in and out (a FormData body goes as it is,
// a string as text/plain). A refusal is a Problem carrying the server's words and status.

/** A refusal: its message is the problem's detail (or title), its status the HTTP status. */
export class Problem extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title)) || `HTTP ${status}`);
    this.status = status;
  }
}

// What a page does when the session is gone; answering true asks for the request once more (the wall trades its
// display key for a new session).
let unauthorized = async () => false;

/** Sets what happens when the API answers 401 outside signing in. */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

// Signing in and opening a display session answer 401 for a wrong password or key: that is their answer, not a lost session.
const signingIn = (path) => path.startsWith("/api/session") || path.startsWith("/api/display-session");

/** Calls the API; answers the JSON body (null when there is none) or throws a Problem. */
export async function api(path, options = {}) {
  const form = options.body instanceof FormData;
  const text = typeof options.body === "string";
  const send = () => fetch(path, {
    credentials: "same-origin",
    ...options,
    headers: options.body !== undefined && !form
      ? { "Content-Type": text ? "text/plain; charset=utf-8" : "application/json", Accept: "application/json" }
      : { Accept: "application/json" },
    body: options.body === undefined ? undefined : form || text ? options.body : JSON.stringify(options.body),
  });
  let response = await send();
  if (response.status === 401 && !signingIn(path)) {
    if (await unauthorized(path)) response = await send();
    if (response.status === 401) throw new Problem(401, null);
  }
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : null;
  if (!response.ok) throw new Problem(response.status, body);
  return body;
}

/** Reads a background job (its href from a 202) until it has succeeded, failed or been deleted, telling its progress
 * (done, total) as it goes; answers its last state. */
export async function followJob(href, onProgress, every = 1000) {
  for (;;) {
    const job = await api(href);
    if (["succeeded", "failed", "deleted"].includes(job.status)) return job;
    onProgress(job.progress && job.progress.total ? job.progress : null);
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}
