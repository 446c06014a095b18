/**
 * The HTML of one patient's interactive viewer (NiiVue, WebGL2): baseline and follow-up side
 * by side, each with the ground truth and the prediction as overlays, crosshairs linked, and a
 * lesion list whose buttons move both crosshairs to a lesion. The NIfTI files are inlined
 * (base64) because a page opened from file:// may not fetch its neighbours; NiiVue itself is a
 * classic script next to the page (module scripts are blocked on file:// too).
 */
import { OVERLAY_COLOURS } from './overlay.ts';
import { escapeHtml } from './html.ts';
import type { LesionRow } from './lesion-table.ts';

export interface ViewerVolume {
  /** File name NiiVue sees (its extension selects the reader). */
  name: string;
  bytes: Buffer;
}

export interface ViewerPageInput {
  patient: string;
  baseline: ViewerVolume;
  followup: ViewerVolume;
  groundTruth: ViewerVolume;
  prediction: ViewerVolume;
  /** One intensity window for both FLAIRs (as in the report's figures). */
  window: [number, number];
  lesions: (LesionRow & { centroidWorld: readonly number[] })[];
  /** Script path of NiiVue's UMD bundle, relative to the page. */
  niivueScript: string;
  /** Link back to the report, relative to the page; optional. */
  reportHref?: string;
  subtitle?: string;
}

const hex = (c: readonly number[]) => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

const CSS = `
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 1rem; color: #222; }
h1 { font-size: 1.3rem; margin: .2rem 0; } .sub { color: #555; font-size: .85rem; }
.views { display: flex; flex-direction: column; gap: .5rem; } .view h2 { font-size: 1rem; margin: .3rem 0; }
.canvas-box { height: 460px; } .lesions { max-height: 45vh; overflow: auto; display: inline-block; } canvas { width: 100%; height: 100%; display: block; background: #000; }
.legend span { display: inline-block; width: .8rem; height: .55rem; margin: 0 .3rem 0 .8rem; vertical-align: middle; border: 3px solid; }
table { border-collapse: collapse; font-size: .85rem; margin-top: .5rem; } th, td { border: 1px solid #ccc; padding: .2rem .45rem; text-align: right; }
th:nth-child(-n+3), td:nth-child(-n+3) { text-align: left; } thead { background: #f3f3f3; }
tr.bad td { background: #fff3e0; } button { font: inherit; cursor: pointer; }
#location { font-family: monospace; }
`;

/** Page logic (plain browser JS; NiiVue's UMD bundle defines `window.niivue`). */
const SCRIPT = `
(async () => {
  const status = document.getElementById('status');
  const location = document.getElementById('location');
  try {
    const cfg = JSON.parse(document.getElementById('viewer-config').textContent);
    const bytes = (id) => {
      const bin = atob(document.getElementById(id).textContent.trim());
      const u = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
      return u.buffer;
    };
    const N = window.niivue;
    const views = [];
    const show = (mm) => { location.textContent = mm.map((v) => v.toFixed(1)).join(' ') + ' mm'; };
    for (const which of ['baseline', 'followup']) {
      // atlasOutline 1: label maps (our masks, see viewer.ts) drawn as opaque contours, no fill.
      const nv = new N.Niivue({ atlasOutline: 1, backColor: [0, 0, 0, 1], isRadiologicalConvention: true, isOrientationTextVisible: true, show3Dcrosshair: true, dragAndDropEnabled: false, isColorbar: false, crosshairColor: [1, 0.2, 0.6, 1], crosshairWidth: 1, crosshairGap: 6, multiplanarShowRender: 0, multiplanarLayout: 3, multiplanarPadPixels: 12, showAllOrientationMarkers: true, fontColor: [1, 1, 1, 1] });
      await nv.attachToCanvas(document.getElementById('canvas-' + which));
      const load = (id, name, colormap, opacity, min, max) => N.NVImage.loadFromUrl({ url: name, name, buffer: bytes(id), colormap, opacity, cal_min: min, cal_max: max, trustCalMinMax: true });
      nv.addVolume(await load('nii-' + which, cfg.names[which], 'gray', 1, cfg.window[0], cfg.window[1]));
      for (const [id, name, lut] of [['nii-gt', cfg.names.gt, cfg.labels.gt], ['nii-pred', cfg.names.pred, cfg.labels.pred]]) {
        const mask = await load(id, name, 'gray', 1, 0, 1);
        mask.setColormapLabel(lut);
        nv.addVolume(mask);
      }
      nv.setSliceType(nv.sliceTypeMultiplanar);
      nv.onLocationChange = () => show(Array.from(nv.frac2mm(nv.scene.crosshairPos)).slice(0, 3));
      views.push(nv);
    }
    views[0].broadcastTo([views[1]], { '2d': true, '3d': true });
    views[1].broadcastTo([views[0]], { '2d': true, '3d': true });
    const goTo = (mm) => {
      for (const nv of views) {
        nv.scene.crosshairPos = nv.mm2frac(mm);
        nv.drawScene();
      }
      show(mm);
    };
    for (const b of document.querySelectorAll('button[data-mm]')) b.addEventListener('click', () => goTo(b.dataset.mm.split(',').map(Number)));
    const toggle = (id, layer) => document.getElementById(id).addEventListener('change', (e) => {
      for (const nv of views) nv.setOpacity(layer, e.target.checked ? 1 : 0);
    });
    toggle('show-gt', 1);
    toggle('show-pred', 2);
    const first = document.querySelector('button[data-mm]');
    if (first) first.click(); else show(Array.from(views[1].frac2mm(views[1].scene.crosshairPos)).slice(0, 3));
    window.lesionsegViews = views; // for tests and the console
    status.textContent = 'ready';
    document.body.dataset.ready = 'true';
  } catch (error) {
    status.textContent = 'could not start the viewer: ' + (error && error.message ? error.message : String(error));
    console.error(error);
    document.body.dataset.ready = 'error';
  }
})();
`;

/**
 * NiiVue label lookup table of a 0/1 mask drawn as a contour: no label is filled (alpha 0);
 * atlasOutline makes the voxels on either side of the mask's border opaque in their label's
 * colour, so both labels get the overlay colour (a ring two voxels wide).
 */
export function contourLabels(rgb: readonly number[]): { R: number[]; G: number[]; B: number[]; A: number[]; I: number[] } {
  return { R: [rgb[0], rgb[0]], G: [rgb[1], rgb[1]], B: [rgb[2], rgb[2]], A: [0, 0], I: [0, 1] };
}

function lesionListHtml(lesions: ViewerPageInput['lesions']): string {
  if (lesions.length === 0) return '<p>No lesion in the ground truth or the prediction.</p>';
  const rows = lesions.map((l) => {
    const kind = l.side === 'gt' ? 'ground truth' : 'prediction';
    const mark = l.matched ? '\u2713' : '\u2717';
    return `<tr class="${l.matched ? 'ok' : 'bad'}" data-side="${l.side}" data-status="${escapeHtml(l.status)}"><td><button type="button" data-mm="${l.centroidWorld.map((v) => v.toFixed(2)).join(',')}">${kind} ${l.label}</button></td><td>${mark} ${escapeHtml(l.status)}</td><td>${escapeHtml(l.why)}</td><td>${l.volumeMm3.toFixed(1)}</td><td>${l.voxels}</td><td>${l.centroidWorld.map((v) => v.toFixed(1)).join(', ')}</td></tr>`;
  });
  return `<table><thead><tr><th>lesion (click to go)</th><th>status</th><th>why</th><th>volume mm\u00b3</th><th>voxels</th><th>centre (mm, RAS)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function viewerPageHtml(v: ViewerPageInput): string {
  const config = {
    window: v.window,
    names: { baseline: v.baseline.name, followup: v.followup.name, gt: v.groundTruth.name, pred: v.prediction.name },
    labels: { gt: contourLabels(OVERLAY_COLOURS.groundTruth), pred: contourLabels(OVERLAY_COLOURS.prediction) },
  };
  const data = (id: string, vol: ViewerVolume) => `<script type="application/octet-stream" id="${id}">${vol.bytes.toString('base64')}</script>`;
  // JSON inside a script element: '<' escaped so no value can close it.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self' file: 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:; connect-src data: blob:; worker-src blob:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lesionseg viewer: patient ${escapeHtml(v.patient)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>Patient ${escapeHtml(v.patient)}</h1>
<p class="sub">${v.subtitle ? `${escapeHtml(v.subtitle)} ` : ''}${v.reportHref ? `<a href="${escapeHtml(v.reportHref)}">back to the report</a>. ` : ''}Radiological view (the patient's right on the screen's left), world (RAS) coordinates from the affine. Click a view to move the linked crosshairs; scroll to change slice.</p>
<p class="legend"><label><input type="checkbox" id="show-gt" checked><span style="border-color:${hex(OVERLAY_COLOURS.groundTruth)}"></span>ground truth</label><label><input type="checkbox" id="show-pred" checked><span style="border-color:${hex(OVERLAY_COLOURS.prediction)}"></span>prediction</label> (contours; the prediction's is drawn over the ground truth's)
 &nbsp; one intensity window for both time points: [${v.window[0].toPrecision(4)}, ${v.window[1].toPrecision(4)}]</p>
<p class="sub">Crosshair: <span id="location">-</span> &middot; <span id="status">loading...</span></p>
<div class="views">
<div class="view"><h2>baseline</h2><div class="canvas-box"><canvas id="canvas-baseline"></canvas></div></div>
<div class="view"><h2>follow-up</h2><div class="canvas-box"><canvas id="canvas-followup"></canvas></div></div>
</div>
<h2>Lesions</h2>
<div class="lesions">${lesionListHtml(v.lesions)}</div>
<script type="application/json" id="viewer-config">${json}</script>
${data('nii-baseline', v.baseline)}
${data('nii-followup', v.followup)}
${data('nii-gt', v.groundTruth)}
${data('nii-pred', v.prediction)}
<script src="${escapeHtml(v.niivueScript)}"></script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
