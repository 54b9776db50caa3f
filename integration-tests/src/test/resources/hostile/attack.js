// What a page served from one student's own origin (http://ALICE.HUB:PORT/...) tries against the browser's other
// sessions: the hub's API and pages with the visitor's hub cookies, the visitor's own server, and what an admin
// could do. Every attempt records what the page could see; the test reads the record (window.attempts, and the
// page's #attempts element when there is one). Reads use CORS with credentials; changes also go out as
// "no-cors" requests, whose answer the page cannot see: the test checks their effect on the server side.
async function attack(hub, victim, admin) {
  const attempts = [];
  async function attempt(name, url, init) {
    try {
      const r = await fetch(url, Object.assign({credentials: "include", redirect: "manual"}, init || {}));
      if (r.type === "opaque" || r.type === "opaqueredirect") {
        attempts.push({name, outcome: "opaque"});
      } else {
        const body = await r.text();
        attempts.push({name, outcome: "read", status: r.status, body: body.slice(0, 200)});
      }
    } catch (e) {
      attempts.push({name, outcome: "refused", error: String(e)});
    }
  }
  const victimServer = hub.replace("//", "//" + victim + ".") + "/user/" + victim;
  const json = {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({note: "from a hostile page"})};
  const plain = {method: "POST", mode: "no-cors", headers: {"Content-Type": "text/plain"}, body: JSON.stringify({note: "from a hostile page"})};
  await attempt("hub api/user", hub + "/hub/api/user");
  await attempt("hub token page", hub + "/hub/token");
  await attempt("hub new token (cors)", hub + "/hub/api/users/" + victim + "/tokens", json);
  await attempt("hub new token (no-cors)", hub + "/hub/api/users/" + victim + "/tokens", plain);
  await attempt("victim's server contents", victimServer + "/api/contents");
  await attempt("victim's server new file (no-cors)", victimServer + "/api/contents", plain);
  await attempt("hub users list (admin)", hub + "/hub/api/users");
  await attempt("admin's new token (cors)", hub + "/hub/api/users/" + admin + "/tokens", json);
  await attempt("admin's new token (no-cors)", hub + "/hub/api/users/" + admin + "/tokens", plain);
  await attempt("admin page", hub + "/hub/admin");
  window.attempts = attempts;
  const record = document.getElementById("attempts");
  if (record) {
    record.textContent = JSON.stringify(attempts);
  }
  return attempts;
}

/** The hub's origin, from the student origin this page is on: http://NAME.HOST:PORT -> http://HOST:PORT. */
function hubOrigin() {
  return location.protocol + "//" + location.host.replace(/^[^.]+\./, "");
}
