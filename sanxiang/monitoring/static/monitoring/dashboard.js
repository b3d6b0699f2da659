/* 监督驾驶舱: draws the charts from the json_script data; a click on a bar or slice opens the
   list of cases behind it (the same filter as the figure's link). */
(function () {
  "use strict";
  function init() {
    var holder = document.getElementById("dashboard-charts");
    if (!holder || typeof echarts === "undefined") { return; }
    var data = JSON.parse(holder.textContent);
    var base = document.body.getAttribute("data-drilldown") || "";
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var key = el.getAttribute("data-chart");
      var kind = el.getAttribute("data-type") || "bar";
      var series = data[key];
      if (!series) { return; }
      var chart = echarts.init(el);
      var option;
      if (kind === "pie") {
        option = {
          tooltip: { trigger: "item" },
          series: [{ type: "pie", radius: ["35%", "65%"],
                     // Empty slices are left out (an all-zero pie would draw equal slices).
                     data: series.labels.map(function (l, i) { return { name: l, value: series.values[i], idx: i }; })
                       .filter(function (d) { return d.value > 0; }) }]
        };
      } else {
        option = {
          tooltip: { trigger: "axis" }, grid: { left: 40, right: 10, top: 20, bottom: 60 },
          xAxis: { type: "category", data: series.labels, axisLabel: { rotate: series.labels.length > 4 ? 30 : 0 } },
          yAxis: { type: "value", minInterval: 1 },
          series: [{ type: kind === "line" ? "line" : "bar", data: series.values }]
        };
      }
      chart.setOption(option);
      chart.on("click", function (params) {
        var index = params.data && params.data.idx !== undefined ? params.data.idx : params.dataIndex;
        var link = series.links[index];
        if (!link) { return; }
        var target = el.getAttribute("data-target") || base;
        window.location.href = target + "?" + new URLSearchParams(link).toString();
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
