# Plots of the paper's evaluation (scripts/paper-eval.sh writes the .dat files; `dir` is its OUT).
set terminal pngcairo size 900,520 font ",11"
set grid ytics
set key top left

# Headline: ring / PANAMA ratios with 95 % intervals on both fabrics, beside the paper's figures.
set output dir."/headline.png"
set title "PANAMA against ring all-reduce on a k = 8 fat-tree (ring / PANAMA; > 1: PANAMA better)"
set style data histogram
set style histogram errorbars gap 2 lw 1.5
set style fill solid 0.6 border -1
set yrange [0:*]
set ylabel "ratio ring / PANAMA (mean of 5 seeds, 95 % interval)"
plot dir."/headline-plot.dat" using 2:3:xtic(1) title "full bisection", \
     "" using 4:5 title "2:1 oversubscribed", \
     "" using 6:(0) title "paper (up to)"

# Reduce size: ring / PANAMA job time against the size of each all-reduce.
set output dir."/size.png"
set title "Benefit against reduce size (4 jobs x 8 workers, 30 % web-search load)"
unset style
set style data linespoints
set logscale x 2
set xrange [7:230]
set xtics (10, 40, 160)
set xlabel "all-reduce size, MB (the paper aggregates from 40 MB)"
set ylabel "job time ring / PANAMA (mean of 3 seeds, 95 % interval)"
set yrange [0:*]
set arrow 1 from 40, graph 0 to 40, graph 1 nohead dt 2 lc rgb "gray40"
plot dir."/size.dat" using 1:4:5 with yerrorlines lw 2 pt 7 title "ring / PANAMA", 1 dt 3 lc rgb "black" title "no gain"

# Trees: PANAMA's all-reduce goodput over the ring's at 40 MB, with 1-8 trees per job.
set output dir."/trees.png"
set title "Aggregation trees per job (40 MB all-reduces, 4 jobs x 8 workers, 30 % load)"
unset arrow 1
set xrange [0.8:10]
set xtics (1, 2, 4, 8)
set xlabel "trees per job"
set ylabel "all-reduce goodput PANAMA / ring (mean of 2 seeds, 95 % interval)"
plot dir."/trees.dat" using 1:4:5 with yerrorlines lw 2 pt 7 title "PANAMA / ring", 1 dt 3 lc rgb "black" title "ring"
