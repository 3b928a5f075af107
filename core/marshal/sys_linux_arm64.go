package marshal

const (
	sysProcessVMReadv  = 270
	sysProcessVMWritev = 271
)
