// Live regions without a framework: every element with data-refresh-url gets its content
// replaced by the fragment at that URL every data-refresh-seconds. A refresh waits while the
// user is typing in or focusing a control inside the region, so nobody loses their place.
// A region whose fragment sends an ETag is replaced only when the server has something new.
(function () {
  "use strict";
  function schedule(region) {
    var seconds = parseInt(region.getAttribute("data-refresh-seconds") || "10", 10);
    window.setTimeout(function () { refresh(region); }, seconds * 1000);
  }
  function refresh(region) {
    var active = document.activeElement;
    if (active && region.contains(active) && active !== document.body) {
      schedule(region);
      return;
    }
    // The server answers 304 while the region is unchanged (the version it last sent, kept
    // here, goes back as If-None-Match); "no-store" keeps the browser's cache out of it.
    var headers = { "X-Requested-With": "fetch" };
    var etag = region.getAttribute("data-refresh-etag");
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(region.getAttribute("data-refresh-url"), {
      credentials: "same-origin",
      cache: "no-store",
      headers: headers,
    })
      .then(function (response) {
        if (!response.ok) { return null; }
        var tag = response.headers.get("ETag");
        if (tag) { region.setAttribute("data-refresh-etag", tag); }
        return response.text();
      })
      .then(function (html) { if (html !== null) { region.innerHTML = html; } })
      .catch(function () { /* offline for a moment: try again next time */ })
      .finally(function () { schedule(region); });
  }
  document.querySelectorAll("[data-refresh-url]").forEach(schedule);
})();
