/* PTCE maps: boundaries fetched from static, versioned files (cached by the
 * browser), coloured with the few properties each view sends.
 * Every string here was escaped for HTML on the server (ptce_geo.maps.esc). */
(function () {
  "use strict";
  var files = {};

  function load(url) {
    if (typeof url !== "string") { return Promise.resolve(url); }  /* inline boundaries */
    if (!files[url]) {
      files[url] = fetch(url).then(function (r) {
        if (!r.ok) { throw new Error(url + " : " + r.status); }
        return r.json();
      });
    }
    return files[url];
  }

  /* A ring is [x0, y0, dx1, dy1, ...] in units of 1/scale degree. */
  function ring(flat, scale) {
    var out = [], x = 0, y = 0;
    for (var i = 0; i < flat.length; i += 2) {
      x += flat[i]; y += flat[i + 1];
      out.push([x / scale, y / scale]);
    }
    return out;
  }

  function geometry(polys, scale) {
    return {type: "MultiPolygon", coordinates: polys.map(function (p) {
      return p.map(function (r) { return ring(r, scale); });
    })};
  }

  function formatted(column, i, file, j) {
    if (typeof column === "string") {
      var v = file[column][j];
      return column === "population" ? Number(v).toLocaleString("fr-FR") : v;
    }
    if (column.enum) { return column.enum[column.index[i]]; }
    if (column.km) {
      var d = column.km[i];
      return d === null ? "—" : d.toFixed(1).replace(".", ",") + " km";
    }
    return column.values[i];
  }

  /* Draw a view: data = {files, codes, fill, palette, labels, columns, style} */
  function draw(target, data) {
    var wanted = {};
    data.codes.forEach(function (c, i) { wanted[c] = i; });
    var group = L.featureGroup();
    group.addTo(target);
    return Promise.all(data.files.map(load)).then(function (loaded) {
      var features = [];
      loaded.forEach(function (file) {
        file.codes.forEach(function (code, j) {
          var i = wanted[code];
          if (i === undefined || !file.geoms[j].length) { return; }
          var rows = data.labels.map(function (label, k) {
            return "<tr><th>" + label + "</th><td>" +
              formatted(data.columns[k], i, file, j) + "</td></tr>";
          }).join("");
          features.push({type: "Feature", geometry: geometry(file.geoms[j], file.scale),
                         properties: {fill: data.palette[data.fill[i]], tip: "<table>" + rows + "</table>",
                                      code: code}});
        });
      });
      var style = data.style || {};
      L.geoJSON({type: "FeatureCollection", features: features}, {
        style: function (f) {
          return {fillColor: f.properties.fill, color: style.color || "#555", weight: style.weight || 0.4,
                  fillOpacity: style.fillOpacity || 0.55};
        },
        onEachFeature: function (f, layer) {
          layer.bindTooltip(f.properties.tip, {sticky: true, className: "ptce-tip"});
          layer.on("mouseover", function () { layer.setStyle({weight: 2, color: "#000"}); });
          layer.on("mouseout", function () {
            layer.setStyle({weight: style.weight || 0.4, color: style.color || "#555"});
          });
        }
      }).addTo(group);
      group.bringToBack();
      /* the layers of a national map join the map after this script: wait for it */
      (function mark() {
        var map = target._map || (target.getContainer ? target : null);
        if (!map) { setTimeout(mark, 50); return; }
        map.getContainer().setAttribute("data-ptce-features", String(features.length));
      })();
      return group;
    }).catch(function (err) { console.error("ptceMap", err); });
  }

  /* Poles: data = {items: [[lat, lon, name, popup], ...], cluster, context}. Markers
   * are focusable (Tab) and open their popup with Enter. */
  function poles(target, data) {
    var css = data.context ? " ptce-contexte" : "";
    var group = data.cluster ? L.markerClusterGroup({
      disableClusteringAtZoom: 10,
      iconCreateFunction: function (c) {
        var n = c.getChildCount(), size = n < 10 ? "small" : n < 100 ? "medium" : "large";
        return L.divIcon({html: "<div><span>" + n + "</span></div>", iconSize: L.point(40, 40),
                          className: "marker-cluster marker-cluster-" + size + css});
      }
    }) : L.featureGroup();
    data.items.forEach(function (p) {
      var icon = L.divIcon({html: "<div class='ptce-pole" + css + "'><span class='ptce-sr'>Pôle " + p[2] +
                                  "</span></div>", className: "ptce-marker", iconSize: [14, 14], iconAnchor: [7, 7]});
      L.marker([p[0], p[1]], {icon: icon, keyboard: true})
        .bindTooltip(p[2]).bindPopup(p[3], {maxWidth: 360}).addTo(group);
    });
    group.addTo(target);
    return group;
  }

  /* A territory's contour: a line only, which leaves the mouse (tooltips) to the communes. */
  function outline(target, shape) {
    return L.geoJSON(shape, {interactive: false, style: function () {
      return {fill: false, color: "#000", weight: 3};
    }}).addTo(target);
  }

  /* Popups stay clear of the legend: pan the map when one would open under it. */
  function clearOfLegend(map) {
    map.on("popupopen", function (e) {
      var legend = document.getElementById("legende");
      var popup = e.popup.getElement();
      if (!legend || !popup) { return; }
      var a = legend.getBoundingClientRect(), b = popup.getBoundingClientRect();
      var overlap = !(b.right < a.left || b.left > a.right || b.bottom < a.top || b.top > a.bottom);
      if (overlap) { map.panBy([0, b.bottom - a.top + 12]); }
    });
  }

  /* The wheel zooms the map once it has been clicked or reached by the keyboard, and scrolls the
   * page otherwise: a reader scrolling down the page is not caught by a map on the way. A wheel
   * turned over a map not yet clicked says how to zoom. */
  function wheelOnClick(map) {
    var hint = null, timer = null;
    map.scrollWheelZoom.disable();
    map.on("click focus", function () { map.scrollWheelZoom.enable(); });
    map.on("mouseout", function () { map.scrollWheelZoom.disable(); });
    map.getContainer().addEventListener("wheel", function () {
      if (map.scrollWheelZoom.enabled()) { return; }
      if (!hint) {
        hint = L.DomUtil.create("div", "ptce-molette", map.getContainer());
        hint.textContent = "Cliquez sur la carte pour zoomer avec la molette";
      }
      hint.style.opacity = "1";
      clearTimeout(timer);
      timer = setTimeout(function () { hint.style.opacity = "0"; }, 1500);
    }, {passive: true});
  }

  window.ptceMap = {draw: draw, poles: poles, outline: outline, clearOfLegend: clearOfLegend, load: load,
                    wheelOnClick: wheelOnClick};
})();
