// <berth-grid data-events="/classrooms/<id>/events">: keeps the classroom's
// progress grid live. The server sends a learner's whole row whenever that
// learner makes progress; a roster change reloads the page. It starts once
// the page's own code marks the grid `data-hydrated`: text changed before
// hydration would break it.
const LABELS = {
  "not-started": "not started",
  "in-progress": "in progress",
  passed: "passed",
  failing: "failing",
};

class BerthGrid extends HTMLElement {
  static observedAttributes = ["data-hydrated"];

  connectedCallback() {
    if (this.hasAttribute("data-hydrated")) this.start();
  }

  attributeChangedCallback() {
    if (this.isConnected && this.hasAttribute("data-hydrated")) this.start();
  }

  start() {
    if (this.events) return;
    const status = (text) => {
      const live = document.querySelector(".live-state");
      if (live) live.textContent = text;
      this.dataset.state = text;
    };
    this.events = new EventSource(this.dataset.events);
    this.events.addEventListener("ready", () => status("live"));
    this.events.addEventListener("learner", (event) => this.update(JSON.parse(event.data)));
    this.events.addEventListener("roster", () => location.reload());
    this.events.onerror = () => status("reconnecting…");
  }

  disconnectedCallback() {
    this.events?.close();
    this.events = null;
  }

  update(row) {
    const tr = this.querySelector(`tr[data-learner="${row.id}"]`);
    if (!tr) return location.reload();
    for (const cell of row.cells) {
      const td = tr.querySelector(`td[data-key="${CSS.escape(cell.key)}"]`);
      if (!td) continue;
      let text = `${td.dataset.title}: ${LABELS[cell.state]}`;
      if (cell.detail) text += ` — ${cell.detail}`;
      td.className = `cell ${cell.state}${cell.stuck ? " stuck" : ""}`;
      td.title = text;
      td.setAttribute("aria-label", text);
    }
    const totals = tr.querySelector(".totals");
    if (totals) totals.textContent = `${row.lessons_done} · ${row.exercises_passed} · ${row.quizzes_passed}`;
  }
}

customElements.define("berth-grid", BerthGrid);
