/* 统计: draws each chart of the dashboard from the numbers the page embeds (json_script
   "dashboard-data"); the same numbers are in the table under each chart. */
(function () {
  "use strict";

  var source = document.getElementById("dashboard-data");
  if (!source || typeof window.echarts === "undefined") {
    return; // the tables carry the numbers without the charts
  }
  var data = JSON.parse(source.textContent);
  var names = data.names;
  var ACCENT = "#b3261e";
  var LINK = "#0b4f8a";
  var MUTED = "#52606d";
  var INK = "#1f2933";

  function numbers(values) {
    return values.map(function (v) {
      return v === null || v === undefined ? null : Number(v);
    });
  }

  // Horizontal bars: category names (stages, units) are long Chinese words.
  function bars(categories, series) {
    return {
      // Drawn once, without the bars growing in: the entry animation redrew every chart each frame
      // for a second after the page loaded, and a click in that second waited for it (INP ×2–3).
      animation: false,
      color: [LINK, ACCENT, MUTED],
      textStyle: { color: INK },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: series.length > 1 ? { top: 0 } : undefined,
      grid: { left: 8, right: 24, top: series.length > 1 ? 32 : 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: {
        type: "category",
        inverse: true,
        data: categories,
        axisLabel: { width: 160, overflow: "truncate" },
      },
      series: series.map(function (s) {
        return {
          type: "bar",
          name: s.name,
          data: s.data,
          barMaxWidth: 36,
          label: { show: true, position: "right", color: INK },
        };
      }),
    };
  }

  // Vertical bars for a time axis (plan years).
  function columns(categories, series) {
    var option = bars(categories, series);
    option.xAxis = { type: "category", data: categories };
    option.yAxis = { type: "value" };
    option.series.forEach(function (s) {
      s.label.position = "top";
    });
    return option;
  }

  var options = {
    stage: function () {
      return bars(data.stage.categories, [
        { name: names.investment, data: numbers(data.stage.investment) },
      ]);
    },
    count: function () {
      return bars(data.stage.categories, [{ name: names.projects, data: data.stage.projects }]);
    },
    unit: function () {
      return bars(data.unit.categories, [
        { name: names.investment, data: numbers(data.unit.investment) },
      ]);
    },
    year: function () {
      return columns(data.year.categories, [
        { name: names.investment, data: numbers(data.year.investment) },
      ]);
    },
    overdue: function () {
      var option = bars(data.overdue.categories, [
        { name: names.overdue, data: data.overdue.tasks },
      ]);
      option.color = [ACCENT];
      return option;
    },
    durations: function () {
      return bars(data.durations.categories, [
        { name: names.average, data: numbers(data.durations.average) },
        { name: names.limit, data: numbers(data.durations.limit) },
      ]);
    },
  };

  var charts = [];
  Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), function (el) {
    var build = options[el.getAttribute("data-chart")];
    if (!build) {
      return;
    }
    var option = build();
    var rows = option.yAxis.type === "category" ? option.yAxis.data.length : 0;
    var groups = option.series.length;
    if (rows > 6) {
      // room for every bar: a long list of units grows the chart instead of squeezing it
      el.style.height = Math.max(320, rows * groups * 22 + 60) + "px";
    }
    var chart = window.echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
  });

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      charts.forEach(function (chart) {
        chart.resize();
      });
    }, 150);
  });
})();
