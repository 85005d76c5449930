#include "textflag.h"

// lanes holds 0, 1, …, 7 and then eight 8s, as int32.
DATA lanes<>+0(SB)/4, $0
DATA lanes<>+4(SB)/4, $1
DATA lanes<>+8(SB)/4, $2
DATA lanes<>+12(SB)/4, $3
DATA lanes<>+16(SB)/4, $4
DATA lanes<>+20(SB)/4, $5
DATA lanes<>+24(SB)/4, $6
DATA lanes<>+28(SB)/4, $7
DATA lanes<>+32(SB)/4, $8
DATA lanes<>+36(SB)/4, $8
DATA lanes<>+40(SB)/4, $8
DATA lanes<>+44(SB)/4, $8
DATA lanes<>+48(SB)/4, $8
DATA lanes<>+52(SB)/4, $8
DATA lanes<>+56(SB)/4, $8
DATA lanes<>+60(SB)/4, $8
GLOBL lanes<>(SB), RODATA, $64

// func pool8(out *float32, idx *int32, a, b, c, d *float32, n int, ia, ib, ic, id int32) bool
//
// For each group of eight channels: m and its index start at a; b, c, d replace them
// where strictly greater (VCMPPS GT_OQ), so the first maximum wins a tie; out = m where
// m > 0, else +0; idx = the index where m > 0, else −1; the result reports an m that is
// not ≤ MaxFloat32 (NLE_UQ: +Inf, or NaN). Y4–Y7 hold the indices of the four values of
// each lane, Y12 zero, Y13 all ones (−1), Y14 MaxFloat32, Y15 the overflow mask.
TEXT ·pool8(SB), NOSPLIT, $0-73
	MOVQ out+0(FP), DI
	MOVQ idx+8(FP), R8
	MOVQ a+16(FP), SI
	MOVQ b+24(FP), R9
	MOVQ c+32(FP), R10
	MOVQ d+40(FP), R11
	MOVQ n+48(FP), CX
	VMOVDQU lanes<>+0(SB), Y8
	MOVL ia+56(FP), AX
	MOVL AX, X4
	VPBROADCASTD X4, Y4
	VPADDD Y8, Y4, Y4
	MOVL ib+60(FP), AX
	MOVL AX, X5
	VPBROADCASTD X5, Y5
	VPADDD Y8, Y5, Y5
	MOVL ic+64(FP), AX
	MOVL AX, X6
	VPBROADCASTD X6, Y6
	VPADDD Y8, Y6, Y6
	MOVL id+68(FP), AX
	MOVL AX, X7
	VPBROADCASTD X7, Y7
	VPADDD Y8, Y7, Y7
	VXORPS Y12, Y12, Y12
	VPCMPEQD Y13, Y13, Y13
	MOVL $0x7f7fffff, AX
	MOVL AX, X14
	VBROADCASTSS X14, Y14
	VXORPS Y15, Y15, Y15
	XORQ BX, BX

loop:
	VMOVUPS (SI)(BX*4), Y0
	VMOVDQU Y4, Y11
	VMOVUPS (R9)(BX*4), Y1
	VCMPPS $0x1e, Y0, Y1, Y8
	VBLENDVPS Y8, Y1, Y0, Y0
	VBLENDVPS Y8, Y5, Y11, Y11
	VMOVUPS (R10)(BX*4), Y2
	VCMPPS $0x1e, Y0, Y2, Y8
	VBLENDVPS Y8, Y2, Y0, Y0
	VBLENDVPS Y8, Y6, Y11, Y11
	VMOVUPS (R11)(BX*4), Y3
	VCMPPS $0x1e, Y0, Y3, Y8
	VBLENDVPS Y8, Y3, Y0, Y0
	VBLENDVPS Y8, Y7, Y11, Y11
	VCMPPS $0x06, Y14, Y0, Y8
	VORPS Y8, Y15, Y15
	VCMPPS $0x1e, Y12, Y0, Y9
	VANDPS Y9, Y0, Y0
	VBLENDVPS Y9, Y11, Y13, Y11
	VMOVUPS Y0, (DI)(BX*4)
	VMOVDQU Y11, (R8)(BX*4)
	VMOVDQU lanes<>+32(SB), Y8
	VPADDD Y8, Y4, Y4
	VPADDD Y8, Y5, Y5
	VPADDD Y8, Y6, Y6
	VPADDD Y8, Y7, Y7
	ADDQ $8, BX
	CMPQ BX, CX
	JLT loop

	VMOVMSKPS Y15, AX
	TESTL AX, AX
	SETNE ret+72(FP)
	VZEROUPPER
	RET
