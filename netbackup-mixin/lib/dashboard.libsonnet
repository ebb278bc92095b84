// Builders for the dashboards' Grafana 10 JSON. Every panel of a kind shares its settings here,
// so that a dashboard file says only what differs: title, description, queries, unit,
// thresholds and size. Panels are laid out left to right in the order given, wrapping at the
// grid's 24 columns; a row starts a new line. Ids follow the order.
local datasource = { type: 'prometheus', uid: '${datasource}' };

// Thresholds: the base colour, then [colour, from value] pairs.
local steps(base, more=[]) =
  [{ color: base, value: null }] + [{ color: s[0], value: s[1] } for s in more];

local green = steps('green');

// A query is an expression, or query(expr, legend) for a legend other than Grafana's automatic one.
local asQuery(q) = if std.isString(q) then { expr: q, legendFormat: '__auto' } else q;

local targets(queries, instant, table=false) = [
  local q = asQuery(queries[i]);
  {
    datasource: datasource,
    refId: std.char(std.codepoint('A') + i),
    expr: q.expr,
    legendFormat: q.legendFormat,
    range: !instant,
    instant: instant,
  } + (if table then { format: 'table' } else {})
  for i in std.range(0, std.length(queries) - 1)
];

// Shown per value: {value: [text, colour]}.
local valueMappings(texts) = [{
  type: 'value',
  options: {
    [std.objectFields(texts)[i]]: {
      text: texts[std.objectFields(texts)[i]][0],
      color: texts[std.objectFields(texts)[i]][1],
      index: i,
    }
    for i in std.range(0, std.length(texts) - 1)
  },
}];

local optional(name, value) = if value == null then {} else { [name]: value };

local panel(type, title, description, queries, w, h, unit, thresholds, color, mappings=[]) = {
  type: type,
  title: title,
  description: description,
  datasource: datasource,
  fieldConfig: {
    defaults: {
      unit: unit,
      thresholds: { mode: 'absolute', steps: thresholds },
      mappings: mappings,
      color: { mode: color },
    },
    overrides: [],
  },
  gridPos: { w: w, h: h },
};

local reduceLast = { calcs: ['lastNotNull'], fields: '', values: false };

// Places the panels (gridPos x and y) and numbers them.
local layout(panels) =
  local place(acc, p) =
    local w = p.gridPos.w;
    local h = p.gridPos.h;
    local wrap = p.type == 'row' || acc.x + w > 24;
    local x = if wrap then 0 else acc.x;
    local y = if wrap then acc.y + acc.lineHeight else acc.y;
    local lineHeight = if wrap then h else std.max(acc.lineHeight, h);
    {
      x: x + w,
      y: y,
      lineHeight: lineHeight,
      panels: acc.panels + [p { id: std.length(acc.panels) + 1, gridPos+: { x: x, y: y } }],
    };
  std.foldl(place, panels, { x: 0, y: 0, lineHeight: 0, panels: [] }).panels;

local queryVariable(name, label, description, query) = {
  name: name,
  label: label,
  description: description,
  type: 'query',
  datasource: datasource,
  definition: query,
  query: { query: query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
  refresh: 2,
  regex: '',
  sort: 1,
  multi: true,
  includeAll: true,
  allValue: '.*',
  current: { selected: true, text: ['All'], value: ['$__all'] },
  options: [],
  hide: 0,
};

{
  steps:: steps,
  query(expr, legend):: { expr: expr, legendFormat: legend },
  valueMappings:: valueMappings,
  queryVariable:: queryVariable,

  row(title):: {
    type: 'row',
    title: title,
    collapsed: false,
    panels: [],
    gridPos: { w: 24, h: 1 },
  },

  // One number per series; coloured by its thresholds, or in one colour when there are none.
  stat(title, description, queries, w, h, unit='short', thresholds=green, mappings=[], decimals=null)::
    panel('stat',
          title,
          description,
          queries,
          w,
          h,
          unit,
          thresholds,
          if std.length(thresholds) > 1 then 'thresholds' else 'fixed',
          mappings) {
      fieldConfig+: { defaults+: optional('decimals', decimals) },
      options: {
        reduceOptions: reduceLast,
        colorMode: 'background',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        text: {},
      },
      targets: targets(queries, instant=false),
    },

  // Lines over time; stacked ones are filled.
  timeseries(title,
             description,
             queries,
             w,
             h,
             unit='short',
             stacked=false,
             thresholds=green,
             thresholdLine=false,
             decimals=null,
             min=null,
             max=null)::
    panel('timeseries', title, description, queries, w, h, unit, thresholds, 'palette-classic') {
      fieldConfig+: {
        defaults+: optional('decimals', decimals) + optional('min', min) + optional('max', max) + {
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: if stacked then 30 else 10,
            showPoints: 'never',
            spanNulls: false,
            axisPlacement: 'auto',
            stacking: { mode: if stacked then 'normal' else 'none', group: 'A' },
            thresholdsStyle: { mode: if thresholdLine then 'line' else 'off' },
          },
        },
      },
      options: {
        legend: { displayMode: 'table', placement: 'bottom', showLegend: true, calcs: ['lastNotNull', 'max'] },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
      targets: targets(queries, instant=false),
    },

  // Horizontal bars, one per series; coloured by thresholds when there are some.
  bargauge(title,
           description,
           queries,
           w,
           h,
           unit='short',
           thresholds=green,
           instant=true,
           min=null,
           max=null)::
    panel('bargauge',
          title,
          description,
          queries,
          w,
          h,
          unit,
          thresholds,
          if std.length(thresholds) > 1 then 'thresholds' else 'palette-classic') {
      fieldConfig+: { defaults+: optional('min', min) + optional('max', max) },
      options: {
        reduceOptions: reduceLast,
        orientation: 'horizontal',
        displayMode: 'gradient',
        showUnfilled: true,
        valueMode: 'color',
        namePlacement: 'auto',
        sizing: 'auto',
        minVizHeight: 10,
        minVizWidth: 0,
      },
      targets: targets(queries, instant=instant),
    },

  // The instant queries' series merged into one line per label set. columns renames the labels
  // and values ('Value #A' is query A's), hide drops columns besides Time, sortBy names a
  // column to sort on, descending unless sortDesc is false.
  table(title, description, queries, w, h, columns, hide=[], overrides=[], sortBy=null, sortDesc=true)::
    panel('table', title, description, queries, w, h, 'short', green, 'thresholds') {
      fieldConfig+: {
        defaults+: { custom: { align: 'auto', cellOptions: { type: 'auto' }, inspect: false } },
        overrides: overrides,
      },
      options: {
        showHeader: true,
        cellHeight: 'sm',
        footer: { show: false, reducer: ['sum'], fields: '' },
      } + (if sortBy == null then {} else { sortBy: [{ displayName: sortBy, desc: sortDesc }] }),
      targets: targets(queries, instant=true, table=true),
      transformations: [
        { id: 'merge', options: {} },
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true } + { [c]: true for c in hide },
            renameByName: columns,
          },
        },
      ],
    },

  // A table column's display: cell type, unit, thresholds, value texts (in that order).
  column(name, cell='auto', unit=null, thresholds=null, mappings=null):: {
    matcher: { id: 'byName', options: name },
    properties: [{ id: 'custom.cellOptions', value: { type: cell } }]
                + (if unit == null then [] else [{ id: 'unit', value: unit }])
                + (if thresholds == null then [] else [{ id: 'thresholds', value: { mode: 'absolute', steps: thresholds } }])
                + (if mappings == null then [] else [{ id: 'mappings', value: mappings }]),
  },

  // A dashboard of the mixin: uid, tags, refresh, time range and data source from the config;
  // the datasource, instance and module variables, then the extra ones.
  dashboard(config, name, title, description, panels, variables=[]):: {
    __requires: [
      { type: 'grafana', id: 'grafana', name: 'Grafana', version: '10.0.0' },
      { type: 'datasource', id: 'prometheus', name: 'Prometheus', version: '1.0.0' },
    ],
    annotations: {
      list: [{
        builtIn: 1,
        datasource: { type: 'grafana', uid: '-- Grafana --' },
        enable: true,
        hide: true,
        iconColor: 'rgba(0, 211, 255, 1)',
        name: 'Annotations & Alerts',
        type: 'dashboard',
      }],
    },
    description: description,
    editable: true,
    fiscalYearStartMonth: 0,
    graphTooltip: 1,
    links: [{
      asDropdown: true,
      icon: 'external link',
      includeVars: true,
      keepTime: true,
      tags: config.dashboardTags[:1],
      targetBlank: false,
      title: 'NetBackup dashboards',
      type: 'dashboards',
    }],
    liveNow: false,
    panels: layout(panels),
    refresh: config.dashboardRefresh,
    schemaVersion: 38,
    tags: config.dashboardTags,
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Data source',
          type: 'datasource',
          query: 'prometheus',
          current: if config.datasourceName == '' then {} else {
            selected: true,
            text: config.datasourceName,
            value: config.datasourceName,
          },
          hide: 0,
          refresh: 1,
          regex: config.datasourceRegex,
          options: [],
          includeAll: false,
          multi: false,
        },
        queryVariable('instance',
                      'Primary',
                      "NetBackup primaries (the probe's target).",
                      'label_values(probe_success{%(jobSelector)s}, %(instanceLabel)s)' % config),
        queryVariable('module',
                      'Module',
                      'Exporter module (only where the targets file sets a module label; All matches none too).',
                      'label_values(probe_success{%(jobSelector)s, %(instanceLabel)s=~"$instance"}, module)' % config),
      ] + variables,
    },
    time: { from: config.dashboardPeriod, to: 'now' },
    timepicker: {},
    timezone: config.dashboardTimezone,
    title: config.dashboardTitlePrefix + title,
    uid: config.dashboardUIDPrefix + name,
    version: 1,
    weekStart: '',
  },
}
