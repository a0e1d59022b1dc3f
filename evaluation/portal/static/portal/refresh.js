/* Follow a background job without a timed <meta refresh> (WCAG 2.2.1).
   An element with data-refresh-url: ask that URL every data-refresh-seconds for {"done", "next"}
   and go to "next" once done. An element with data-reload-seconds: reload the page that often
   (a build log that grows). */
(function () {
  "use strict";
  var poller = document.querySelector("[data-refresh-url]");
  if (poller) {
    var url = poller.getAttribute("data-refresh-url");
    var every = 1000 * parseFloat(poller.getAttribute("data-refresh-seconds") || "2");
    var poll = function () {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (d) {
          if (d.done) { window.location.assign(d.next || window.location.href); }
          else { window.setTimeout(poll, every); }
        })
        .catch(function () { window.setTimeout(poll, 2 * every); });
    };
    window.setTimeout(poll, every);
  }
  var reloader = document.querySelector("[data-reload-seconds]");
  if (reloader) {
    window.setTimeout(function () { window.location.reload(); },
                      1000 * parseFloat(reloader.getAttribute("data-reload-seconds")));
  }
})();
