# gnuplot script written by panama run; regenerate the PNGs with: gnuplot plots.gp
set datafile separator ','
set datafile columnheaders
set terminal pngcairo size 900,560
set grid
set key outside autotitle columnhead
set output 'fct_cdf.png'
set title 'Background flow completion times'
set xlabel 'FCT (us)'
set ylabel 'CDF'
set logscale x
plot 'flows.csv' using 6:(1.0/45) smooth cumulative with lines lw 2 title 'all flows'
unset logscale x
set output 'slowdown_by_size.png'
set title 'Slowdown by flow size'
set style data histograms
set style fill solid 0.6
set xlabel 'flow size'
set ylabel 'slowdown (FCT / ideal)'
set yrange [0:*]
plot 'slowdown_by_size.csv' using 3:xtic(1) title 'mean', '' using 4 title 'p99'
set autoscale y
set style data lines
set output 'queues.png'
set title 'Egress queues of the busiest ports'
set xlabel 'time (us)'
set ylabel 'queue (bytes)'
plot 'queues_busiest.csv' using 1:2 with lines, 'queues_busiest.csv' using 1:3 with lines, 'queues_busiest.csv' using 1:4 with lines, 'queues_busiest.csv' using 1:5 with lines
set output 'windows.png'
set title 'PANAMA windows (first worker of each job)'
set ylabel 'cwnd (packets)'
plot 'windows_wide.csv' using 1:2 with lines title 'job 1 tree 0', 'windows_wide.csv' using 1:3 with lines title 'job 1 tree 1'
set output 'training_time.png'
set title 'Training time per job'
set style data histograms
set style fill solid 0.6
set xlabel 'job'
set ylabel 'training time (ms)'
set yrange [0:*]
plot 'jobs.csv' using 3:xtic('job '.strcol(1).' ('.strcol(2).')') title 'training time'
set autoscale y
set style data lines
