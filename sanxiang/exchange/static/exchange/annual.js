// Draws the annual report's charts from the json_script block "annual-data" (no inline script: CSP).
(function () {
  "use strict";
  function draw() {
    var node = document.getElementById("annual-data");
    if (!node || !window.echarts) { return; }
    var data = JSON.parse(node.textContent);
    function bar(id, title, rows) {
      var el = document.getElementById(id);
      if (!el) { return; }
      var chart = window.echarts.init(el);
      chart.setOption({
        title: { text: title, textStyle: { fontSize: 14 } },
        tooltip: {},
        grid: { left: 40, right: 10, bottom: 60, containLabel: true },
        xAxis: { type: "category", data: rows.map(function (r) { return r[0]; }), axisLabel: { rotate: 30, interval: 0 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: "bar", data: rows.map(function (r) { return r[1]; }) }]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    }
    function pie(id, title, rows) {
      var el = document.getElementById(id);
      if (!el) { return; }
      var chart = window.echarts.init(el);
      chart.setOption({
        title: { text: title, textStyle: { fontSize: 14 } },
        tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: "55%", data: rows.map(function (r) { return { name: r[0], value: r[1] }; }) }]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    }
    bar("chart-cases", "执法案件（按类别）", data.cases_by_kind);
    bar("chart-penalties", "处罚种类", data.penalty_kinds);
    pie("chart-reviews", "法制审核意见", data.review_opinions);
    pie("chart-publication", "执法决定公示及时性", data.publication);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
}());
