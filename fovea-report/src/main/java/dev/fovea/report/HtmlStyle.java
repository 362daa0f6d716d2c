package dev.fovea.report;

/**
 * The report's inline stylesheet and its one inline script. Kept apart from the markup so the
 * look can change without touching the section code. System font stacks only: no web fonts, no
 * external assets.
 */
final class HtmlStyle {
    private HtmlStyle() {
    }

    static final String CSS = """
            :root { --fg: #1f2937; --muted: #6b7280; --line: #e5e7eb; --bg: #f8fafc; --accent: #2563eb; }
            * { box-sizing: border-box; }
            body { margin: 0; background: var(--bg); color: var(--fg);
              font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
                "DejaVu Sans", sans-serif; }
            header { background: #fff; border-bottom: 1px solid var(--line); padding: 28px 32px 0; }
            header .kind { margin: 0; color: var(--accent); font-size: 12px; font-weight: 600;
              letter-spacing: .08em; text-transform: uppercase; }
            h1 { margin: 4px 0 14px; font-size: 26px; font-weight: 650; }
            nav { display: flex; flex-wrap: wrap; gap: 4px 22px; }
            nav a { color: var(--muted); text-decoration: none; font-size: 14px; padding: 8px 0 10px;
              border-bottom: 2px solid transparent; }
            nav a:hover { color: var(--fg); border-bottom-color: var(--accent); }
            main { max-width: 1340px; margin: 0 auto; padding: 8px 32px 24px; }
            section { background: #fff; border: 1px solid var(--line); border-radius: 10px;
              padding: 20px 24px; margin: 20px 0; }
            h2 { margin: 0 0 12px; font-size: 19px; font-weight: 600; }
            h3 { margin: 20px 0 8px; font-size: 15px; font-weight: 600; }
            .note { color: var(--muted); font-size: 13.5px; margin: 0 0 14px; }
            code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono",
              monospace; font-size: 13px; }
            pre { background: var(--bg); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px;
              overflow-x: auto; line-height: 1.4; margin: 0; }
            /* The model summary: the terminal's box-drawn table as an HTML table (its rules are borders,
               which join whatever the font), kept in the monospace look of 'fovea summary'. */
            table.summary { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono",
              monospace; font-size: 13px; border: 1px solid #64748b; }
            table.summary th, table.summary td { border: 1px solid #64748b; padding: 3px 12px; white-space: pre; }
            table.summary thead th { color: var(--fg); font-size: 13px; background: var(--bg);
              border-bottom: 2px solid #334155; }
            table.summary .n { text-align: right; font-variant-numeric: tabular-nums; }
            .summary-text { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono",
              monospace; font-size: 13px; margin: 0; }
            #model .scroll { margin: 8px 0; }
            img { max-width: 100%; height: auto; display: block; }
            .pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px;
              align-items: start; }
            .pair img { width: 100%; border: 1px solid var(--line); border-radius: 6px; }
            .cards { display: flex; flex-wrap: wrap; gap: 12px; }
            .card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 18px; min-width: 140px;
              background: var(--bg); }
            .card .value { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; }
            .card .label { color: var(--muted); font-size: 12.5px; }
            table { border-collapse: collapse; font-size: 14px; }
            th, td { padding: 6px 12px; border-bottom: 1px solid var(--line); }
            th { text-align: left; font-weight: 600; }
            thead th { color: var(--muted); font-size: 12.5px; font-weight: 600; border-bottom: 2px solid var(--line); }
            table.kv { width: 100%; }
            table.kv th { width: 190px; color: var(--muted); font-weight: 500; vertical-align: top; }
            table.kv code { overflow-wrap: anywhere; white-space: pre-wrap; }
            table.num { margin-bottom: 18px; }
            table.num td { text-align: right; font-variant-numeric: tabular-nums; }
            table.num td.name { text-align: left; }
            tr.sum th, tr.sum td { background: var(--bg); }
            tfoot tr:first-child th, tfoot tr:first-child td { border-top: 2px solid var(--line); }
            .scroll { overflow-x: auto; margin-top: 18px; }
            table.cm caption { caption-side: top; text-align: left; color: var(--muted); font-size: 13px;
              padding-bottom: 6px; }
            table.cm td { text-align: center; font-variant-numeric: tabular-nums; min-width: 66px;
              border: 1px solid #fff; padding: 5px 6px; }
            table.cm td small { display: block; opacity: .7; font-size: 11px; }
            table.cm td.diag { font-weight: 650; }
            table.cm thead th { text-align: center; font-size: 12px; }
            table.cm th.corner { text-align: left; }
            figure.grid { margin: 0; }
            figure.grid img { border: 1px solid var(--line); border-radius: 6px; }
            /* A grid of equal cells (--cell, set by the page from the pictures' width): a flex row
               sized each figure by its caption, so the columns of successive rows did not line up. */
            .gradcam { display: grid; grid-template-columns: repeat(auto-fill, var(--cell)); gap: 14px 16px; }
            figure.gradcam-item { margin: 0; min-width: 0; }
            .gradcam-row { display: flex; gap: 3px; }
            .gradcam-row img { display: block; }
            figcaption { color: var(--muted); font-size: 13px; margin-top: 8px; }
            details { margin-top: 14px; }
            summary { cursor: pointer; color: var(--accent); font-size: 14px; margin-bottom: 8px; }
            footer { color: var(--muted); font-size: 12.5px; text-align: center; padding: 8px 32px 32px; }
            @media print { body { background: #fff; } section { break-inside: avoid; border: none; } nav { display: none; } }
            """;

    /**
     * Records on {@code <body>} how many images decoded, once the page has loaded; a headless
     * browser test reads it from the dumped DOM. The page renders the same without it.
     */
    static final String IMAGE_CHECK_SCRIPT = """
            <script>
            window.addEventListener("load", function () {
              var images = document.images, ok = 0;
              for (var i = 0; i < images.length; i++) {
                var im = images[i];
                if (im.complete && im.naturalWidth > 0) { ok++; }
                im.setAttribute("data-natural-size", im.naturalWidth + "x" + im.naturalHeight);
              }
              document.body.setAttribute("data-images-loaded", ok + "/" + images.length);
            });
            </script>
            """;
}
