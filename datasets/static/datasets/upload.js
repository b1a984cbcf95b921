// Polls the status of a large import (run by Celery) and shows its progress.
(function () {
  var box = document.getElementById("import-job");
  if (!box) return;
  var bar = document.getElementById("import-progress");
  var step = document.getElementById("import-step");
  var out = document.getElementById("import-result");
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (job) {
      bar.value = job.percent || 0;
      step.textContent = job.step || "";
      if (job.state === "done") {
        var r = job.result || {};
        out.textContent = r.error_count ? r.error_count + " ✗ " + (r.errors || []).slice(0, 20).map(function (e) { return e.row + "/" + e.column + ": " + e.message; }).join(" · ")
                                        : "✓ +" + r.created + " ~" + r.updated + " =" + r.unchanged;
        return;
      }
      setTimeout(poll, 1500);
    }).catch(function () { setTimeout(poll, 4000); });
  }
  poll();
})();
