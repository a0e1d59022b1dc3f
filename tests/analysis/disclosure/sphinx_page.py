"""A hand-written page in the shape of sphinx-book-theme 1.3 / MyST-NB 1.4 output.

Written by hand after the markup Jupyter Book 1.0.4 produces (asset URLs with
``?digest=``, MyST-NB's hashed CSS and output image names, a downloadable
notebook under ``_downloads/<md5>/``, a pandas Styler table, an inline
matplotlib SVG, a base64 PNG, CSS colours). Every number and code is
synthetic. It must produce no finding; ``LEAKY_PAGE`` adds real problems.
"""

SPHINX_PAGE = """<!DOCTYPE html>
<html lang="en" data-content_root="../" >
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" /><meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>3. Peer workers per prison &#8212; D&amp;D evaluation report</title>
  <script data-cfasync="false">
    document.documentElement.dataset.mode = localStorage.getItem("mode") || "";
  </script>
  <link href="../_static/styles/theme.css?digest=55c26ed414f5f8a31ebb" rel="stylesheet" />
  <link href="../_static/styles/pydata-sphinx-theme.css?digest=55c26ed414f5f8a31ebb" rel="stylesheet" />
    <link rel="stylesheet" type="text/css" href="../_static/pygments.css?v=03e43079" />
    <link rel="stylesheet" type="text/css" href="../_static/styles/sphinx-book-theme.css?v=3c74b3bc" />
    <link rel="stylesheet" type="text/css" href="../_static/mystnb.11b39860a7a0cbfd473a3ad8a317855267ff0bd372690045ca344a6b62be495e.css" />
  <script defer src="../_static/scripts/fontawesome.js?digest=55c26ed414f5f8a31ebb"></script>
  <link rel="preload" as="script" href="../_static/scripts/bootstrap.js?digest=55c26ed414f5f8a31ebb" />
    <script src="../_static/documentation_options.js?v=9eb32ce0"></script>
    <script>const THEBE_JS_URL = "https://unpkg.com/thebe@0.8.2/lib/index.js"; const thebe_selector = ".thebe,.cell";</script>
    <style>
      .bd-header { background: #1a2b3c; color: #ffffff; border-color: #aabbccdd; }
    </style>
    <link rel="index" title="Index" href="../genindex.html" />
    <link rel="next" title="4. Reoffending" href="reoffending.html" />
  </head>
  <body data-bs-spy="scroll" data-bs-target=".bd-toc-nav" data-offset="180" data-bs-root-margin="0px 0px -60%" data-default-mode="">
  <div class="bd-container__inner bd-page-width">
  <a class="btn btn-sm btn-download-notebook-button" href="../_downloads/3c1f0d2b9e8a7f6e5d4c3b2a19081726/peer_workers.ipynb" download="">
  <span class="btn__text-container">.ipynb</span></a>
  <article class="bd-article">
<section class="tex2jax_ignore mathjax_ignore" id="peer-workers-per-prison">
<h1><span class="section-number">3. </span>Peer workers per prison<a class="headerlink" href="#peer-workers-per-prison" title="Link to this heading">#</a></h1>
<p>In 2024, 127 peer workers were active in the ten prisons; fewer than 10 of them work in Noordhaven (fictional).
The survey ran from 2024-03-01 to 2024-06-30 (version 1.1, build 20240701.3).</p>
<div class="cell docutils container">
<div class="cell_output docutils container">
<div class="output text_html"><div class="protected-table"><strong>Peer workers by prison and sex</strong><style type="text/css">
</style>
<table id="T_sdc3f2a9c1d" class="dataframe disclosure">
  <thead>
    <tr>
      <th class="index_name level0" >sex</th>
      <th id="T_sdc3f2a9c1d_level0_col0" class="col_heading level0 col0" >F</th>
      <th id="T_sdc3f2a9c1d_level0_col1" class="col_heading level0 col1" >M</th>
      <th id="T_sdc3f2a9c1d_level0_col2" class="col_heading level0 col2" >Total</th>
    </tr>
    <tr>
      <th class="index_name level0" >site</th>
      <th class="blank col0" >&nbsp;</th>
      <th class="blank col1" >&nbsp;</th>
      <th class="blank col2" >&nbsp;</th>
    </tr>
  </thead>
  <tbody>
    <tr>
      <th id="T_sdc3f2a9c1d_level0_row0" class="row_heading level0 row0" >P01</th>
      <td id="T_sdc3f2a9c1d_row0_col0" class="data row0 col0" >[c]</td>
      <td id="T_sdc3f2a9c1d_row0_col1" class="data row0 col1" >[c]</td>
      <td id="T_sdc3f2a9c1d_row0_col2" class="data row0 col2" >32</td>
    </tr>
    <tr>
      <th id="T_sdc3f2a9c1d_level0_row1" class="row_heading level0 row1" >P02</th>
      <td id="T_sdc3f2a9c1d_row1_col0" class="data row1 col0" >[c]</td>
      <td id="T_sdc3f2a9c1d_row1_col1" class="data row1 col1" >[c]</td>
      <td id="T_sdc3f2a9c1d_row1_col2" class="data row1 col2" >65</td>
    </tr>
    <tr>
      <th id="T_sdc3f2a9c1d_level0_row2" class="row_heading level0 row2" >Total</th>
      <td id="T_sdc3f2a9c1d_row2_col0" class="data row2 col0" >27</td>
      <td id="T_sdc3f2a9c1d_row2_col1" class="data row2 col1" >70</td>
      <td id="T_sdc3f2a9c1d_row2_col2" class="data row2 col2" >97</td>
    </tr>
  </tbody>
</table>
<p class="disclosure-note"><small>1 cell with fewer than 10 persons suppressed; 3 further cells suppressed so that they cannot be derived from the totals. [c] = suppressed to protect the people counted.</small></p></div></div>
</div>
</div>
<div class="cell_output docutils container">
<img alt="../_images/f61259b6a05dbe49dde13db15fc364eba432c2d29a34a3aca49d306491eb474f.png" src="../_images/f61259b6a05dbe49dde13db15fc364eba432c2d29a34a3aca49d306491eb474f.png" />
</div>
<div class="cell_output docutils container">
<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA
60e6kgAAAABJRU5ErkJggg0123456789abcdef0123456789abcdef==" alt="inline figure" />
</div>
<div class="cell_output docutils container">
<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="460.8pt" height="345.6pt" viewBox="0 0 460.8 345.6" xmlns="http://www.w3.org/2000/svg" version="1.1">
 <defs>
  <path id="m8a3c5f6e0b" d="M 0 0 L 0 3.5" style="stroke: #000000; stroke-width: 0.8"/>
  <clipPath id="p3d1c2b4a5e"><rect x="57.6" y="41.472" width="357.12" height="266.112"/></clipPath>
 </defs>
 <g id="line2d_1"><path d="M 73.832727 295.488 L 114.414545 250.1234 L 398.487273 53.568" clip-path="url(#p3d1c2b4a5e)" style="fill: none; stroke: #1f77b4; stroke-width: 1.5"/></g>
 <use xlink:href="#m8a3c5f6e0b" x="73.832727" y="307.584" style="stroke: #000000"/>
</svg>
</div>
<div class="cell_output docutils container">
<div class="output stream highlight-myst-ansi notranslate"><div class="highlight"><pre><span></span>ratio 0.30000000000000004; n = 127; elapsed 12 s; call 0471 12 34 56
</pre></div></div>
</div>
</section>
  </article>
  <footer class="bd-footer-content"><p class="copyright">By the evaluation team. &#169; Copyright 2024.</p>
  <p>Last updated on 2024-07-01. Built with Jupyter Book 1.0.4 and sphinx-book-theme 1.3.0.</p></footer>
  </div>
  <script defer src="../_static/scripts/bootstrap.js?digest=55c26ed414f5f8a31ebb"></script>
  <script defer src="../_static/scripts/pydata-sphinx-theme.js?digest=55c26ed414f5f8a31ebb"></script>
  </body>
</html>
"""

PSEUDONYM = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

LEAKY_PAGE = SPHINX_PAGE.replace(
    "<p>In 2024, 127 peer workers",
    "<p>Respondent " + PSEUDONYM + " said so.</p>\n"
    '<p>See <a href="respondents/' + PSEUDONYM[:20] + '.html">this page</a>.</p>\n'
    "<p>Contact: Jan D&#39;Hondt, national number 85.07.30-033.28, or 01020312345.</p>\n"
    "<p>In 2024, 127 peer workers",
)
