// Loaded only under `berth serve --watch`: reloads the page when the course
// changes, and shows the problems of an edit that does not load.
const source = new EventSource("/__berth/live");
let served = null;

function overlay(problems) {
  let box = document.getElementById("berth-problems");
  if (!problems) {
    box?.remove();
    return;
  }
  if (!box) {
    box = document.createElement("aside");
    box.id = "berth-problems";
    box.setAttribute("role", "alert");
    document.body.append(box);
  }
  box.innerHTML = "<h2>The course does not load</h2><p>Still showing the last version that did. Fix these and save:</p><pre></pre>";
  box.querySelector("pre").textContent = problems;
}

source.onmessage = (event) => {
  const status = JSON.parse(event.data);
  if (served === null) served = status.generation;
  if (status.generation !== served) {
    location.reload();
    return;
  }
  overlay(status.problems);
};
