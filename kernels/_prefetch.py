"""A software prefetch for Numba: ask for a row of X into L2 before the loop that reads it.

The row-by-row z sweep of a C-ordered tile reads short pieces of many rows (0.5-16 KB each);
each is a new stream to the hardware prefetchers, which start late on it. Asking for the rows
a few sweeps ahead (``prefetch_row``) is what ``cython_omp`` does with gcc's
``__builtin_prefetch``; Numba has no such function, so this module emits LLVM's
``llvm.prefetch`` intrinsic (read, locality 2: ``prefetcht1`` on x86, into L2 -- into L1 it
evicts the rows being summed). A prefetch is a hint: it never faults, and the callers only
name addresses inside their arrays.
"""
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

#: Bytes per cache line: one prefetch each.
LINE_BYTES = 64


@intrinsic
def _prefetch_l2(typingctx, arr, index):
    """Prefetch the cache line holding ``arr[index]`` (1-D, any layout) into L2."""
    if not (isinstance(arr, types.Array) and arr.ndim == 1 and isinstance(index, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        array = context.make_array(array_type)(context, builder, args[0])
        pointer = cgutils.get_item_pointer(context, builder, array_type, array, [args[1]],
                                           wraparound=False)
        byte_pointer = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        function = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32]),
            "llvm.prefetch.p0i8")
        # (address, 0: read, 2: locality -- prefetcht1, 1: data cache)
        builder.call(function, [builder.bitcast(pointer, byte_pointer), i32(0), i32(2), i32(1)])
        return context.get_dummy_value()

    return types.void(arr, index), codegen


@njit(cache=True, nogil=True, inline="always")
def prefetch_row(row):
    """Prefetch every cache line of the 1-D array ``row`` into L2 (contiguous ``row``: one
    prefetch per line; a strided one is asked for every ``LINE_BYTES // itemsize`` elements)."""
    step = max(1, LINE_BYTES // row.itemsize)
    for k in range(0, row.shape[0], step):
        _prefetch_l2(row, k)
