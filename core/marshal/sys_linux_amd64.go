package marshal

const (
	sysProcessVMReadv  = 310
	sysProcessVMWritev = 311
)
