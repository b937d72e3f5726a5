"""The scenario report's stylesheet, inlined in the page (it is one file, opened offline)."""

CSS = """
:root{--ink:#1b2430;--muted:#5d6b7c;--line:#dfe4ea;--paper:#fff;--wash:#f4f6f9;
--brand:#5b3cc4;--ok:#1f7a4d;--ok-wash:#e6f4ec;--bad:#b42318;--bad-wash:#fdecea;
--out:#c0392b;--in:#4caf7a;--mixed:#e59b2e;--none:#d3d8de;--label:220px}
*{box-sizing:border-box}
html{scroll-behavior:smooth}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);
background:var(--wash)}
.wrap{padding:0 28px}
.top{background:#1e1446;color:#fff;padding:22px 0 18px}
.top .kicker{margin:0;color:#c9bff2;font-size:.85em}
.top h1{margin:2px 0 6px;font-size:1.5rem}
.top .desc{margin:0 0 10px;max-width:70rem;color:#e6e1fa}
.top .meta{margin:8px 0 0;color:#c9bff2;font-size:.9em}
.verdict{display:inline-block;margin:0;font-weight:650;padding:4px 12px;border-radius:14px}
.verdict.pass{background:var(--ok-wash);color:var(--ok)}
.verdict.fail{background:var(--bad-wash);color:var(--bad)}
h2{font-size:1.05rem;margin:26px 0 10px}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;list-style:none;padding:0;margin:0 0 10px;
color:var(--muted);font-size:.88em}
.legend li{display:flex;align-items:center;gap:6px}
.sw{display:inline-block;width:14px;height:10px;border-radius:2px}
.sw.out{background:var(--out)}.sw.in{background:var(--in)}.sw.mixed{background:var(--mixed)}
.sw.none{background:var(--none)}.sw.night{background:#dfe3f3}
.sw.fault{background:repeating-linear-gradient(135deg,#f6c6c1 0 3px,#fdecea 3px 6px)}
.sw.down{background:repeating-linear-gradient(45deg,#c9ced6 0 3px,#eef0f3 3px 6px)}
.dot{display:inline-block;width:10px;height:10px;border-radius:50%}
.dot.push{background:#1f6fb2}
.dot.nightly{background:#6a3fa0;border-radius:2px;transform:rotate(45deg)}
.dot.step{background:#55606e;width:3px;border-radius:1px}
.dot.expect{background:#fff;border:2px solid var(--ok)}
.dot.retry{background:#e59b2e;width:18px;border-radius:5px}
.chart{display:grid;grid-template-columns:var(--label) minmax(0,1fr);background:var(--paper);
border:1px solid var(--line);border-radius:8px;padding:12px 18px 6px 0;width:100%}
.labels>div{display:flex;flex-direction:column;justify-content:center;padding:0 12px 0 16px;
overflow:hidden}
.labels b{font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.labels small{color:var(--muted)}
.label-events,.row.events{height:34px}
.label-events{color:var(--muted);font-size:.85em}
.label-lane,.row.lane{height:46px}
.label-axis,.row.axis{height:26px}
.plot{position:relative;border-left:1px solid var(--line)}
.row{position:relative;border-bottom:1px solid #eef1f4}
.row.axis{border-bottom:0}
.band{position:absolute;top:0;bottom:26px;pointer-events:auto}
.band.night{background:rgba(77,96,180,.11)}
.band.fault{background:repeating-linear-gradient(135deg,rgba(192,57,43,.22) 0 4px,
rgba(192,57,43,.06) 4px 8px);
border-left:1px solid rgba(192,57,43,.5);border-right:1px solid rgba(192,57,43,.5)}
.band.down{background:repeating-linear-gradient(45deg,rgba(85,96,110,.22) 0 4px,
rgba(85,96,110,.06) 4px 8px);
border-left:1px solid rgba(85,96,110,.5);border-right:1px solid rgba(85,96,110,.5)}
.mark{position:absolute;top:11px;width:10px;height:10px;margin-left:-5px;border-radius:50%;
background:#55606e;z-index:2}
.mark.push{background:#1f6fb2}
.mark.nightly{background:#6a3fa0;border-radius:2px;transform:rotate(45deg)}
.mark.step{width:3px;margin-left:-1.5px;height:16px;top:8px;border-radius:1px}
.mark.error{background:var(--bad)}
.mark.retry{min-width:10px;height:10px;margin-left:-5px;border-radius:5px;background:#e59b2e;
box-sizing:content-box;padding-right:10px}
.mark.expect{top:22px;width:8px;height:8px;margin-left:-4px;background:#fff;
border:2px solid var(--ok)}
.mark.bad{background:var(--bad);border-color:var(--bad)}
.mark:hover,.mark:focus-visible{outline:2px solid var(--ink);outline-offset:2px;z-index:3}
.seg{position:absolute;height:15px}
.seg.ms{top:7px}.seg.sf{top:24px}
.seg.out{background:var(--out)}.seg.in{background:var(--in)}.seg.mixed{background:var(--mixed)}
.seg.none{background:var(--none)}
.tick{position:absolute;top:4px;transform:translateX(-50%);color:var(--muted);font-size:.8em;
white-space:nowrap}
.tick::before{content:"";position:absolute;left:50%;top:-6px;height:5px;
border-left:1px solid #b8c0ca}
table{width:100%;border-collapse:separate;border-spacing:0;background:var(--paper);
border:1px solid var(--line);border-radius:8px;overflow:hidden}
th,td{padding:7px 12px;text-align:left;vertical-align:top;border-bottom:1px solid var(--line)}
th{background:#f8f9fb;font-size:.78rem;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
tr.bad td{background:var(--bad-wash)}
tr:target td{background:#fff3bf;transition:background .4s}
tr{scroll-margin-top:40vh}
.t{white-space:nowrap;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
.ch{color:var(--muted);font-size:.88em}
a:focus-visible{outline:2px solid var(--brand)}
main{padding-bottom:40px}
"""
