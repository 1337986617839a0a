// The regulator cockpit's charts (Apache ECharts, vendored in lib/echarts by tools/vendor-echarts.sh). A chart is an element
// with data-chart (its data as JSON: kind, categories, series) and data-echarts (the library's address); the page shows
// the same numbers in a table beside it, so the charts are drawing only. No inline script or style: the portal's CSP.
(() => {
  const palette = ['#b4232a', '#0969da', '#1a7f37', '#9a6700', '#8250df', '#bf3989', '#1b7c83', '#57606a'];
  let library;

  // ECharts is large and drawn on the cockpit only: loaded the first time a page has a chart.
  const load = source => library ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = source;
    script.onload = () => resolve(window.echarts);
    script.onerror = reject;
    document.head.appendChild(script);
  });

  const number = value => value.toLocaleString(document.documentElement.lang, { maximumFractionDigits: 2 });
  const withUnit = (value, unit) => unit === '%' ? `${number(value)}%` : `${number(value)} ${unit}`.trim();

  // Tooltips as rich text drawn on the canvas: ECharts' HTML tooltips carry inline styles, which the CSP refuses.
  const tooltip = trigger => ({ trigger, renderMode: 'richText', confine: true });

  const options = {
    bar: data => ({
      color: palette,
      animation: false,
      tooltip: tooltip('axis'),
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0 },
      xAxis: { type: 'category', data: data.categories, axisLabel: { interval: 0, rotate: data.categories.length > 4 ? 30 : 0 } },
      yAxis: [{ type: 'value', name: data.series[0]?.unit }, { type: 'value', name: data.series.find(s => s.secondAxis)?.unit, show: data.series.some(s => s.secondAxis) }],
      series: data.series.map(s => ({ name: s.name, type: s.secondAxis && data.kind === 'trend' ? 'line' : 'bar', yAxisIndex: s.secondAxis ? 1 : 0, data: s.values })),
    }),
    pie: data => ({
      color: palette,
      animation: false,
      tooltip: tooltip('item'),
      legend: { bottom: 0, type: 'scroll' },
      series: [{
        name: data.series[0].name, type: 'pie', radius: ['35%', '65%'], center: ['50%', '45%'],
        label: { formatter: '{b}: {d}%' },
        data: data.categories.map((name, i) => ({ name, value: data.series[0].values[i] })),
      }],
    }),
    gauge: data => ({
      animation: false,
      series: data.series.map((s, i) => ({
        name: s.name, type: 'gauge', min: 0, max: 100, radius: '80%',
        center: [`${(100 / data.series.length) * (i + 0.5)}%`, '58%'],
        progress: { show: true, width: 12, itemStyle: { color: palette[i] } },
        axisLine: { lineStyle: { width: 12 } },
        axisLabel: { distance: 16, fontSize: 10 }, splitLine: { length: 8 }, axisTick: { show: false }, pointer: { show: false },
        title: { offsetCenter: [0, '75%'], fontSize: 13 },
        detail: { offsetCenter: [0, '10%'], fontSize: 20, formatter: value => withUnit(value, s.unit) },
        data: [{ value: s.values[0], name: s.name }],
      })),
    }),
  };
  options.trend = options.bar;

  const draw = async () => {
    const charts = document.querySelectorAll('[data-chart]');
    if (charts.length === 0) return;
    const echarts = await load(charts[0].dataset.echarts);
    for (const element of charts) {
      // Blazor's enhanced navigation patches the page in place: start each chart afresh from what the page now says.
      echarts.getInstanceByDom(element)?.dispose();
      element.replaceChildren();
      const data = JSON.parse(element.dataset.chart);
      echarts.init(element, null, { renderer: 'canvas' }).setOption(options[data.kind](data));
    }
  };

  window.addEventListener('resize', () => {
    if (!window.echarts) return;
    for (const element of document.querySelectorAll('[data-chart]')) window.echarts.getInstanceByDom(element)?.resize();
  });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', draw);
  else draw();
  window.Blazor?.addEventListener('enhancedload', draw);
})();
