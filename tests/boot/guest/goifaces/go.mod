module goifaces

go 1.19
