/* Charts from data the server puts in <script type="application/json"> (json_script).
   A <canvas data-chart="line|bar" data-source="element-id"> draws itself. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  var Chart = window.Chart;
  var palette = ["#0b50d0", "#e0701a", "#14853f", "#8a3ffc", "#c62828", "#00838f", "#6d7882"];
  var locale = document.documentElement.lang === "en" ? "en-US" : "ko-KR";

  Chart.defaults.font.family =
    '"Pretendard GOV", "Noto Sans KR", "NanumGothic", "Malgun Gothic", sans-serif';
  Chart.defaults.font.size = 14;
  Chart.defaults.color = "#33363d";
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = window.matchMedia("(prefers-reduced-motion: reduce)").matches
    ? false
    : Chart.defaults.animation;

  function readData(id) {
    var element = document.getElementById(id);
    if (!element) {
      return null;
    }
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return null;
    }
  }

  function numberFormat(value) {
    return new Intl.NumberFormat(locale).format(value);
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var data = readData(canvas.getAttribute("data-source"));
    if (!data || !data.labels || !data.datasets) {
      return;
    }
    var kind = canvas.getAttribute("data-chart");
    var stacked = canvas.hasAttribute("data-stacked");
    var datasets = data.datasets.map(function (set, index) {
      var colour = palette[index % palette.length];
      return {
        label: set.label,
        data: set.data,
        yAxisID: set.axis || "y",
        borderColor: colour,
        backgroundColor: kind === "line" ? colour : colour + "cc",
        borderWidth: 2,
        pointRadius: kind === "line" ? 2 : 0,
        tension: 0.2
      };
    });
    var scales = {
      x: { stacked: stacked, grid: { display: false } },
      y: {
        stacked: stacked,
        beginAtZero: true,
        title: { display: !!data.yTitle, text: data.yTitle || "" },
        ticks: { callback: numberFormat }
      }
    };
    if (data.y2Title) {
      scales.y2 = {
        position: "right",
        beginAtZero: true,
        grid: { drawOnChartArea: false },
        title: { display: true, text: data.y2Title },
        ticks: { callback: numberFormat }
      };
    }
    new Chart(canvas, {
      type: kind,
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (context) {
                return context.dataset.label + ": " + numberFormat(context.parsed.y);
              }
            }
          }
        },
        scales: scales
      }
    });
  });
})();
