#!/usr/bin/env bash
# Bar chart of a convgrad-bench CSV: GFLOP/s per row and op (log scale),
# convgrad vs oneDNN at each thread count, with the measured FMA peaks as
# dashed lines. Needs gnuplot (Debian gnuplot-nox).
#
#   bench/plot.sh results.csv results.png
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 results.csv out.png" >&2
  exit 2
fi
csv=$1
png=$2
command -v gnuplot >/dev/null || {
  echo "plot.sh: gnuplot not found (apt-get install gnuplot-nox)" >&2
  exit 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Pivot: one line per "row op" (plus " NHWC" for channels-last rows),
# columns convgrad/oneDNN GFLOP/s per thread count ("?" = missing). Columns
# of the CSV (see convgrad-bench.cpp): 1 row, 2 op, 3 threads, 9 cg_gflops,
# 12 dnnl_gflops, 16 peak_gflops, 20 layout (absent in older CSVs).
awk -F, -v dat="$tmp/data" -v meta="$tmp/meta" '
  NR == 1 { next }
  {
    key = $1 " " $2 ($20 == "channels_last" ? " NHWC" : "")
    if (!(key in seen)) { seen[key] = 1; keys[++nk] = key }
    if (!($3 in tseen)) { tseen[$3] = 1; threads[++nt] = $3 }
    cg[key, $3] = ($9 == "" ? "?" : $9)
    dn[key, $3] = ($12 == "" ? "?" : $12)
    if ($12 != "") hasdnnl[$3] = 1
    peak[$3] = $16
  }
  END {
    for (i = 1; i <= nk; ++i) {
      line = "\"" keys[i] "\""
      for (j = 1; j <= nt; ++j) {
        t = threads[j]
        c = ((keys[i], t) in cg) ? cg[keys[i], t] : "?"
        d = ((keys[i], t) in dn) ? dn[keys[i], t] : "?"
        line = line "\t" c "\t" d
      }
      print line > dat
    }
    for (j = 1; j <= nt; ++j)
      print threads[j], peak[threads[j]], (threads[j] in hasdnnl) ? 1 : 0 > meta
  }' "$csv"

# The plot command: one pair of bar series per thread count.
plot=""
col=2
colors_cg=("#1f77b4" "#6baed6" "#08519c" "#9ecae1")
colors_dn=("#d62728" "#fc9272" "#a50f15" "#fcbba1")
i=0
peaks=""
while read -r t peak hasdnnl; do
  th="thread"; [ "$t" != 1 ] && th="threads"
  plot+="'$tmp/data' using $col:xtic(1) title 'convgrad $t $th' lc rgb '${colors_cg[$((i % 4))]}', "
  if [ "$hasdnnl" = 1 ]; then
    plot+="'' using $((col + 1)) title 'oneDNN $t $th' lc rgb '${colors_dn[$((i % 4))]}', "
  fi
  peaks+="$peak with lines dt 2 lw 1.5 lc rgb '#555555' title 'FMA peak $t $th ($(printf %.0f "$peak") GFLOP/s)', "
  col=$((col + 2))
  i=$((i + 1))
done < "$tmp/meta"
plot="${plot}${peaks%, }"

# Lower end of the log axis: a decade under the smallest bar.
ymin=$(awk -F'\t' '{ for (i = 2; i <= NF; ++i) if ($i != "?" && $i > 0 && (m == "" || $i < m)) m = $i }
  END { if (m == "") m = 1; e = 1; while (e > m) e /= 10; print e }' "$tmp/data")
# Upper end: a bit above the highest peak or bar.
ymax=$(awk -F'\t' '{ for (i = 2; i <= NF; ++i) if ($i != "?" && $i > m) m = $i } END { print m }' "$tmp/data")
ymax=$(awk -v m="$ymax" '{ if ($2 > m) m = $2 } END { print m * 1.6 }' "$tmp/meta")
title="convgrad-bench: $(basename "$csv") (median GFLOP/s, log scale; higher is better)"
gnuplot <<EOF
set terminal pngcairo size 1500,800 font "DejaVu Sans,10" noenhanced
set output "$png"
set title "$title"
set datafile missing "?"
set datafile separator "\t"
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.9 border -1
set boxwidth 0.9
set logscale y
set yrange [$ymin:$ymax]
set ylabel "GFLOP/s"
set xtics rotate by -35 scale 0 nomirror
set grid ytics mytics
set key outside top center horizontal
set bmargin 10
set rmargin 10
plot $plot
EOF
