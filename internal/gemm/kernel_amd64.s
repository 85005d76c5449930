#include "textflag.h"

// func kernel6x16(ko, ki int, a *float32, rs, skip, ps int, b *float32, pb int, c *float32, ldc int, load bool)
//
// C[i][j] (i < 6, j < 16, row stride ldc) ← fma chain over p = o·ki + q (o < ko, q < ki, in
// that order) of a[i·rs + o·os + q·ps]·b[p·pb + j], starting from C when load is true, else
// from zero. Y0–Y11 hold the tile (two registers per row), Y12–Y13 a row of b, Y14–Y15
// broadcasts of a. skip = os − ki·ps moves from the end of one o to the start of the
// next. In the loops, SI and R9–R13 point to the six rows of A, BX is the byte offset of
// element (o, q) in them and AX the step of q, DI points to row p of b and R8 is its
// step, CX counts q down and DX counts o down.
TEXT ·kernel6x16(SB), NOSPLIT, $0-81
	MOVQ c+64(FP), DX
	MOVQ ldc+72(FP), R8
	SHLQ $2, R8
	MOVBLZX load+80(FP), AX
	TESTQ AX, AX
	JZ zero
	VMOVUPS (DX), Y0
	VMOVUPS 32(DX), Y1
	VMOVUPS (DX)(R8*1), Y2
	VMOVUPS 32(DX)(R8*1), Y3
	VMOVUPS (DX)(R8*2), Y4
	VMOVUPS 32(DX)(R8*2), Y5
	LEAQ (DX)(R8*2), CX
	VMOVUPS (CX)(R8*1), Y6
	VMOVUPS 32(CX)(R8*1), Y7
	VMOVUPS (DX)(R8*4), Y8
	VMOVUPS 32(DX)(R8*4), Y9
	LEAQ (DX)(R8*4), CX
	VMOVUPS (CX)(R8*1), Y10
	VMOVUPS 32(CX)(R8*1), Y11
	JMP start
zero:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
start:
	MOVQ a+16(FP), SI
	MOVQ rs+24(FP), AX
	SHLQ $2, AX
	LEAQ (SI)(AX*1), R9
	LEAQ (R9)(AX*1), R10
	LEAQ (R10)(AX*1), R11
	LEAQ (R11)(AX*1), R12
	LEAQ (R12)(AX*1), R13
	MOVQ ps+40(FP), AX
	SHLQ $2, AX
	MOVQ b+48(FP), DI
	MOVQ pb+56(FP), R8
	SHLQ $2, R8
	XORQ BX, BX
	MOVQ ko+0(FP), DX
	TESTQ DX, DX
	JZ store
outer:
	MOVQ ki+8(FP), CX
	TESTQ CX, CX
	JZ next
inner:
	VMOVUPS (DI), Y12
	VMOVUPS 32(DI), Y13
	VBROADCASTSS (SI)(BX*1), Y14
	VFMADD231PS Y12, Y14, Y0
	VFMADD231PS Y13, Y14, Y1
	VBROADCASTSS (R9)(BX*1), Y15
	VFMADD231PS Y12, Y15, Y2
	VFMADD231PS Y13, Y15, Y3
	VBROADCASTSS (R10)(BX*1), Y14
	VFMADD231PS Y12, Y14, Y4
	VFMADD231PS Y13, Y14, Y5
	VBROADCASTSS (R11)(BX*1), Y15
	VFMADD231PS Y12, Y15, Y6
	VFMADD231PS Y13, Y15, Y7
	VBROADCASTSS (R12)(BX*1), Y14
	VFMADD231PS Y12, Y14, Y8
	VFMADD231PS Y13, Y14, Y9
	VBROADCASTSS (R13)(BX*1), Y15
	VFMADD231PS Y12, Y15, Y10
	VFMADD231PS Y13, Y15, Y11
	ADDQ AX, BX
	ADDQ R8, DI
	DECQ CX
	JNZ inner
next:
	MOVQ skip+32(FP), CX
	LEAQ (BX)(CX*4), BX
	DECQ DX
	JNZ outer
store:
	MOVQ c+64(FP), DX
	MOVQ ldc+72(FP), R8
	SHLQ $2, R8
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VMOVUPS Y2, (DX)(R8*1)
	VMOVUPS Y3, 32(DX)(R8*1)
	VMOVUPS Y4, (DX)(R8*2)
	VMOVUPS Y5, 32(DX)(R8*2)
	LEAQ (DX)(R8*2), CX
	VMOVUPS Y6, (CX)(R8*1)
	VMOVUPS Y7, 32(CX)(R8*1)
	VMOVUPS Y8, (DX)(R8*4)
	VMOVUPS Y9, 32(DX)(R8*4)
	LEAQ (DX)(R8*4), CX
	VMOVUPS Y10, (CX)(R8*1)
	VMOVUPS Y11, 32(CX)(R8*1)
	VZEROUPPER
	RET
