module github.com/zugbruecke/zugbruecke

go 1.22
