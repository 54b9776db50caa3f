// The dashboard's pages: fetch the overview (JSON) every few seconds and redraw; no reload, no CDN.
(function () {
  "use strict";
  const prefix = document.body.dataset.prefix;
  const REFRESH_MS = 2000;
  const path = location.pathname.substring(prefix.length);
  const pageName = path === "queue" ? "queue" : path === "history" ? "history" : "workers";
  document.body.dataset.page = pageName;
  document.querySelector('nav a[data-page="' + pageName + '"]').classList.add("current");
  let perHourChart = null;
  let perUserChart = null;

  function el(tag, text, className) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (className) e.className = className;
    return e;
  }
  function row(cells, attributes) {
    const tr = document.createElement("tr");
    cells.forEach(c => { const td = document.createElement("td"); if (c instanceof Node) td.appendChild(c); else td.textContent = c == null ? "" : c; tr.appendChild(td); });
    Object.entries(attributes || {}).forEach(([k, v]) => { if (v !== null && v !== undefined) tr.setAttribute(k, v); });
    return tr;
  }
  function fill(tbody, rows) { tbody.replaceChildren(...rows); }
  function badge(state) { return el("span", state.toLowerCase(), "state state-" + state); }
  function time(iso) { return iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" }) : ""; }
  function ago(iso) {
    if (!iso) return "";
    const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
    const span = s < 90 ? s + " s" : s < 5400 ? Math.round(s / 60) + " min" : Math.round(s / 3600) + " h";
    return time(iso) + " (" + span + " ago)";
  }
  function inFuture(iso) {
    if (!iso) return "no worker can take it";
    const s = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
    return s <= 1 ? "now" : time(iso) + " (in " + (s < 90 ? s + " s" : Math.round(s / 60) + " min") + ")";
  }
  function experiment(x) {
    if (!x) return "";
    if (x.id == null) return "another student's experiment";
    return "job " + x.id + (x.yours ? " (yours)" : " of " + x.user);
  }
  function duration(seconds) {
    if (seconds < 90) return seconds + " s";
    if (seconds < 5400) return Math.round(seconds / 60) + " min";
    return (seconds / 3600).toFixed(1) + " h";
  }

  function showStatus(text) {
    const status = document.getElementById("status");
    status.hidden = !text;
    status.textContent = text || "";
  }

  function render(o) {
    document.getElementById("viewer").textContent = o.viewer.name + (o.viewer.admin ? " (admin)" : "");
    document.body.dataset.slurm = o.slurm.available ? "available" : "unavailable";
    if (!o.slurm.available) {
      showStatus("Slurm does not answer" + (o.slurm.unavailableSince ? " since " + time(o.slurm.unavailableSince) : "")
        + ": " + o.slurm.problem + (o.slurm.readAt ? ". Shown: the cluster as it was at " + time(o.slurm.readAt) + "." : ".")
        + " This page recovers by itself when Slurm is back.");
    } else {
      showStatus(o.slurm.historyProblem ? "Accounting does not answer (history may be old): " + o.slurm.historyProblem : "");
    }

    const yoursBody = document.querySelector("#yours-table tbody");
    fill(yoursBody, o.yours.map(q => row([experiment(q.experiment), badge(q.state), q.position,
      q.state === "PENDING" ? inFuture(q.estimatedStart) : ago(q.started), q.worker, q.reason && q.reason !== "None" ? q.reason : ""],
      { "data-job": q.experiment.id, "data-state": q.state, class: "yours" })));
    document.getElementById("yours-table").hidden = o.yours.length === 0;
    document.getElementById("yours-empty").hidden = o.yours.length !== 0;

    const counts = {};
    o.workers.forEach(w => { counts[w.state] = (counts[w.state] || 0) + 1; });
    document.getElementById("workers-summary").textContent = o.workers.length + " workers: "
      + Object.entries(counts).map(([s, n]) => n + " " + s).join(", ");
    fill(document.querySelector("#workers tbody"), o.workers.map(w => row([w.name, badge(w.state), experiment(w.experiment),
      ago(w.since), w.reason], { "data-worker": w.name, "data-state": w.state, class: w.experiment && w.experiment.yours ? "yours" : null })));

    const running = o.queue.filter(q => q.position == null).length;
    const typical = o.history.typicalRunSeconds;
    document.getElementById("queue-summary").textContent = running + " running, " + (o.queue.length - running) + " waiting"
      + (typical ? "; estimates assume a run of " + duration(typical) + " (today's median)" : "");
    fill(document.querySelector("#queue tbody"), o.queue.map(q => row([q.position == null ? "running" : q.position,
      experiment(q.experiment), badge(q.state), time(q.submitted),
      q.state === "PENDING" ? inFuture(q.estimatedStart) : ago(q.started), q.worker],
      { "data-state": q.state, "data-position": q.position, class: q.experiment.yours ? "yours" : null })));

    renderHistory(o.history, o.viewer);
  }

  function renderHistory(h, viewer) {
    document.getElementById("history-summary").textContent = h.everyone.experiments + " experiments on the cluster in the last 24 hours"
      + (viewer.admin ? "" : " (other students' are counted, not named)");
    fill(document.querySelector("#totals tbody"), h.users.concat([h.everyone]).map(u => row([u.user == null ? "everyone" : u.user,
      u.experiments, u.completed, u.failed, duration(u.runSeconds)], { "data-user": u.user == null ? "*" : u.user })));
    if (pageName !== "history" || typeof Chart === "undefined") return;
    const labels = h.hours.map(iso => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }));
    const datasets = h.series.map(s => ({ label: s.label, data: Array.from(s.counts) }));
    if (!perHourChart) {
      perHourChart = new Chart(document.getElementById("per-hour"), {
        type: "bar", data: { labels: labels, datasets: datasets },
        options: { animation: false, maintainAspectRatio: false, plugins: { title: { display: true, text: "Experiments started per hour" } },
          scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
      });
      perUserChart = new Chart(document.getElementById("per-user"), {
        type: "bar", data: { labels: [], datasets: [{ label: "experiments", data: [] }] },
        options: { animation: false, maintainAspectRatio: false, indexAxis: "y", plugins: { title: { display: true, text: "Experiments per user" } },
          scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
      });
    } else {
      perHourChart.data.labels = labels;
      perHourChart.data.datasets = datasets;
    }
    const rows = viewer.admin ? h.users : h.users.concat([{ user: "everyone", experiments: h.everyone.experiments }]);
    perUserChart.data.labels = rows.map(u => u.user);
    perUserChart.data.datasets[0].data = rows.map(u => u.experiments);
    perHourChart.update();
    perUserChart.update();
  }

  async function refresh() {
    try {
      const response = await fetch(prefix + "api/overview", { cache: "no-store", credentials: "same-origin" });
      if (response.status === 401) { location.reload(); return; }
      if (!response.ok) throw new Error("the dashboard answered " + response.status);
      render(await response.json());
      document.body.dataset.updates = String(Number(document.body.dataset.updates) + 1);
    } catch (e) {
      document.body.dataset.slurm = "unknown";
      showStatus("The dashboard does not answer (" + e.message + "); trying again.");
    } finally {
      setTimeout(refresh, REFRESH_MS);
    }
  }
  refresh();
})();
