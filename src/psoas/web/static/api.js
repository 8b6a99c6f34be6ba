/* Talking to the psoas API from a page: JSON in and out, the session cookie, and the CSRF token
 * the page carries (data-csrf). Shared by the session player and the break coach. */

/* A fetch bound to the page's CSRF token: api(method, url, body) sends body as JSON (when given)
 * and resolves to the Response; it rejects only when the request never got an answer. */
export function apiClient(csrf) {
  return function api(method, url, body) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf },
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options);
  };
}

/* The JSON of a successful answer; any other answer is an error. */
export function jsonOf(response) {
  if (!response.ok) throw new Error("HTTP " + response.status);
  return response.json();
}

/* What a refused answer says, in one line (the API's `detail`, else the HTTP status). */
export function detailOf(response) {
  return response.json().then(function (data) {
    var d = data && data.detail;
    if (Array.isArray(d)) {
      return d.map(function (e) { return (e.loc || []).slice(-1)[0] + ": " + e.msg; }).join("; ");
    }
    return typeof d === "string" ? d : "HTTP " + response.status;
  }, function () { return "HTTP " + response.status; });
}
