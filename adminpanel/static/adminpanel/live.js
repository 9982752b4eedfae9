// The admin's Live page: fetch the server-rendered partial every few seconds and swap it in.
// A failed fetch (signed out, server restarting) keeps the last figures and says so.
(function () {
  "use strict";
  var box = document.getElementById("live");
  if (!box) { return; }
  var url = box.getAttribute("data-partial-url");
  var seconds = parseInt(box.getAttribute("data-refresh-seconds"), 10) || 5;

  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok || response.redirected) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) { box.innerHTML = html; })
      .catch(function (error) {
        var updated = document.getElementById("live-updated");
        if (updated) { updated.textContent = "Not refreshed (" + error.message + "); trying again."; }
      })
      .then(function () { window.setTimeout(refresh, seconds * 1000); });
  }
  window.setTimeout(refresh, seconds * 1000);
})();
