set terminal pngcairo size 900,540
set grid
set key bottom right
set output '/work/main/bench-report/latency-cdf.png'
set title 'End-to-end latency CDF (publisher send to subscriber receive)'
set xlabel 'latency (ms, log scale)'
set ylabel 'fraction of packets'
set logscale x 10
set yrange [0:1]
plot '/work/main/bench-report/switchyard-1w-latency-cdf.dat' using 1:2 with steps title 'switchyard-1w'
unset logscale x
set autoscale y
set output '/work/main/bench-report/rss.png'
set title 'Server resident memory over the measured window'
set xlabel 'seconds'
set ylabel 'RSS (MiB)'
set yrange [0:*]
plot '/work/main/bench-report/switchyard-1w-rss.dat' using 1:2 with lines title 'switchyard-1w'
