// Map helpers: load Leaflet only when a map is shown, and place WGS-84 points on
// GCJ-02 tiles (AMap-style tile servers) when settings say the tiles are GCJ-02.

let leafletPromise = null;

export function loadLeaflet(jsUrl, cssUrl) {
  if (window.L) return Promise.resolve(window.L);
  if (leafletPromise) return leafletPromise;
  // The stylesheet too: Leaflet reads its default marker's image path from it.
  const loaded = (element) => new Promise((resolve, reject) => {
    element.onload = resolve;
    element.onerror = () => reject(new Error("leaflet"));
    document.head.append(element);
  });
  const css = document.querySelector(`link[href="${cssUrl}"]`) || Object.assign(document.createElement("link"), { rel: "stylesheet", href: cssUrl });
  const ownCss = !css.isConnected;
  const script = Object.assign(document.createElement("script"), { src: jsUrl });
  leafletPromise = Promise.all([ownCss ? loaded(css) : null, loaded(script)]).then(
    () => window.L,
    (error) => {
      // Another try may work once the network is back.
      leafletPromise = null;
      if (ownCss) css.remove();
      script.remove();
      throw error;
    },
  );
  return leafletPromise;
}

// The published GCJ-02 obfuscation (same constants as common/gcj02.py).
const A = 6378245.0;
const EE = 0.00669342162296594323;

function outOfChina(lat, lng) {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function transformLat(x, y) {
  let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3;
  r += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3;
  return r;
}

function transformLng(x, y) {
  let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3;
  r += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3;
  return r;
}

export function wgs84ToGcj02(lat, lng) {
  if (outOfChina(lat, lng)) return [lat, lng];
  let dLat = transformLat(lng - 105, lat - 35);
  let dLng = transformLng(lng - 105, lat - 35);
  const radLat = (lat / 180) * Math.PI;
  let magic = Math.sin(radLat);
  magic = 1 - EE * magic * magic;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
  dLng = (dLng * 180) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return [lat + dLat, lng + dLng];
}

export function gcj02ToWgs84(lat, lng) {
  // Fixed-point iteration: converges to well under a metre in a few steps.
  let [wLat, wLng] = [lat, lng];
  for (let i = 0; i < 10; i += 1) {
    const [gLat, gLng] = wgs84ToGcj02(wLat, wLng);
    wLat -= gLat - lat;
    wLng -= gLng - lng;
  }
  return [wLat, wLng];
}

// [lat, lng] to draw a thing that has .wgs84 (and maybe .gcj02) on the tiles.
export function toDisplay(thing, tilesGcj02) {
  const { lat, lng } = thing.wgs84;
  if (!tilesGcj02) return [lat, lng];
  if (thing.gcj02) return [thing.gcj02.lat, thing.gcj02.lng];
  return wgs84ToGcj02(lat, lng);
}

export function fromDisplay(lat, lng, tilesGcj02) {
  return tilesGcj02 ? gcj02ToWgs84(lat, lng) : [lat, lng];
}
