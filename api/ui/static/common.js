// Shared by every page: the CSRF token, JSON calls to /v1, announcements for
// screen readers, and time formatting. User text only ever reaches the page
// through textContent, never through HTML parsing.

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

// A JSON request to the API with the session cookie; a change carries the
// CSRF token. Resolves to {ok, status, data}; data is the parsed body or null.
export async function api(method, url, body) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  let payload;
  if (body instanceof FormData) {
    payload = body;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
  } catch (err) {
    return { ok: false, status: 0, data: { error: { message: "The server did not answer; check the connection and try again." } } };
  }
  let data = null;
  try { data = await response.json(); } catch (err) { data = null; }
  return { ok: response.ok, status: response.status, data };
}

export function errorText(result) {
  const error = result.data && result.data.error;
  if (error && error.message) return error.message;
  return `The request failed (HTTP ${result.status}).`;
}

export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  window.setTimeout(() => { region.textContent = text; }, 50);
}

export function timecode(seconds) {
  const tenths = Math.round(seconds * 10);
  const minutes = Math.floor(tenths / 600);
  const rest = tenths % 600;
  const secs = String(Math.floor(rest / 10)).padStart(2, "0");
  return `${minutes}:${secs}.${rest % 10}`;
}

export function percent(value) {
  return `${Math.round((value || 0) * 100)}%`;
}

// Keys typed into a field are the field's, not shortcuts.
export function typing(event) {
  const el = event.target;
  return el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
}
