// Table pages: the data first. Datasette prints the column descriptions above the
// table; fold them into a <details> below it.
document.addEventListener("DOMContentLoaded", () => {
  const list = document.querySelector("dl.column-descriptions");
  if (!list) return;
  const details = document.createElement("details");
  details.className = "nianbao-columns";
  const summary = document.createElement("summary");
  summary.textContent = "Column descriptions 列说明";
  details.appendChild(summary);
  const anchor = document.querySelector(".table-wrapper") || list;
  anchor.after(details);
  details.appendChild(list);
});
