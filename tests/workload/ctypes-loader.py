# An unknown loader doing what a JIT does: anonymous memory mapped RW with mmap,
# machine code written into it, made RX with mprotect, called -- through python's
# ctypes, from a program that is no JIT runtime (tests/e2e/jit-runtimes.sh: its
# finding must stay high).  Prints the call's result and the address.
import ctypes
import mmap
import sys

libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int,
		      ctypes.c_long]
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
size = 4096
addr = libc.mmap(None, size, mmap.PROT_READ | mmap.PROT_WRITE,
		 mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS, -1, 0)
if addr in (None, ctypes.c_void_p(-1).value):
	sys.exit(f"mmap: errno {ctypes.get_errno()}")
code = b"\xb8\x2a\x00\x00\x00\xc3"	# mov eax, 42; ret (x86_64)
ctypes.memmove(addr, code, len(code))
if libc.mprotect(addr, size, mmap.PROT_READ | mmap.PROT_EXEC):
	sys.exit(f"mprotect: errno {ctypes.get_errno()}")
print(ctypes.CFUNCTYPE(ctypes.c_int)(addr)(), hex(addr), size)
