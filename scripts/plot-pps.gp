# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Packets per second per variant, from scripts/bench-pps.sh's data file:
#   variant  64B/1: med min max  64B/10k: med min max  512B/1: ...  512B/10k: ...
# gnuplot -e "data='FILE'; out='PNG'" scripts/plot-pps.gp
set terminal pngcairo size 1000,560 font ",11"
set output out
set title "Packets per second through a router namespace (median, bars: min-max)"
set ylabel "Mpps"
set style data histograms
set style histogram errorbars gap 2 lw 1
set style fill solid 0.8 border -1
set key top right
set grid ytics
set yrange [0:*]
set xtics nomirror
plot data using 2:3:4:xtic(1) title "64 B, 1 flow", \
     ''   using 5:6:7 title "64 B, 10,000 flows", \
     ''   using 8:9:10 title "512 B, 1 flow", \
     ''   using 11:12:13 title "512 B, 10,000 flows"
