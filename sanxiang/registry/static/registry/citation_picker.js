// Citation pickers in the admin: choosing a law fills the article list from the law database,
// choosing an article fills its 款, choosing a 款 fills its 项. The server checks every
// citation again on save (registry.services.citation_build); this only saves typing errors.
(function () {
  "use strict";
  const cache = {};

  function outline(lawId) {
    if (!cache[lawId]) {
      const base = document.body.dataset.lawOutlineBase || "/staff/registry/laws/";
      cache[lawId] = fetch(base + lawId + "/outline.json", {credentials: "same-origin"})
        .then((r) => (r.ok ? r.json() : {articles: []}));
    }
    return cache[lawId];
  }

  function fill(select, options, current) {
    const keep = current === undefined ? select.value : String(current);
    select.innerHTML = "";
    for (const [value, label] of options) {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = label;
      if (String(value) === keep) option.selected = true;
      select.appendChild(option);
    }
  }

  function cn(n) {
    return "第" + n;
  }

  function bind(row) {
    const law = row.querySelector("select[name$='-law']");
    const article = row.querySelector("select[name$='-article_choice']");
    const paragraph = row.querySelector("select[name$='-paragraph']");
    const item = row.querySelector("select[name$='-item_no']");
    // The formset's hidden template row is cloned for "add another": bind the clones, not it.
    if (!law || !article || row.dataset.pickerBound || row.classList.contains("empty-form")) return;
    row.dataset.pickerBound = "1";
    let articles = [];

    function paragraphs() {
      const chosen = articles.find((a) => `${a.number}:${a.suffix}` === article.value);
      const counts = chosen ? chosen.paragraphs : [];
      fill(paragraph, [["", "（整条）"], ...counts.map((_, i) => [i + 1, cn(i + 1) + "款"])]);
      items(counts);
    }

    function items(counts) {
      const n = counts[(Number(paragraph.value) || 1) - 1] || 0;
      fill(item, [["", "（不引至项）"], ...Array.from({length: n}, (_, i) => [i + 1, "第（" + (i + 1) + "）项"])]);
    }

    function load() {
      if (!law.value) return;
      outline(law.value).then((data) => {
        articles = data.articles || [];
        fill(article, [["", "请选择条文"], ...articles.map((a) => [`${a.number}:${a.suffix}`, a.label])]);
        paragraphs();
      });
    }

    law.addEventListener("change", load);
    if (law.value) load();  // rows already saved: know their articles so the 款/项 lists follow
    article.addEventListener("change", paragraphs);
    paragraph.addEventListener("change", () => {
      const chosen = articles.find((a) => `${a.number}:${a.suffix}` === article.value);
      items(chosen ? chosen.paragraphs : []);
    });
  }

  function bindAll() {
    document.querySelectorAll(".inline-related, tr.form-row").forEach(bind);
  }

  document.addEventListener("DOMContentLoaded", bindAll);
  document.addEventListener("formset:added", bindAll);
})();
