module nonstop-lab/tools/netem

go 1.19
