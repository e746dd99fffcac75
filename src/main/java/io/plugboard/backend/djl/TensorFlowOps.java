package io.plugboard.backend.djl;

import java.util.Set;

/**
 * The TensorFlow operations a served graph may run: what inference graphs use (arithmetic, neural
 * network layers, shapes, control flow, variables, lookup tables, strings, images decoded from
 * memory). Nothing here opens a file, a socket or a process, prints to a file, or runs Python:
 * readers, datasets, summary writers, savers, debug ops, {@code PrintV2}, {@code PyFunc} and ops
 * from custom libraries are left out. Checkpoint restore is allowed separately, confined to the
 * model's own variables ({@link SavedModelGraphCheck}).
 */
final class TensorFlowOps {

    private TensorFlowOps() {
    }

    /** Restore ops: allowed only where their file prefix is the loader's own variables path. */
    static final Set<String> RESTORE = Set.of("RestoreV2", "Restore", "RestoreSlice");

    static final Set<String> ALLOWED = Set.of(
            // graph plumbing and function calls
            "Const", "Identity", "IdentityN", "NoOp", "Placeholder", "PlaceholderWithDefault", "_Arg", "_Retval",
            "PartitionedCall", "StatefulPartitionedCall", "If", "StatelessIf", "While", "StatelessWhile", "Case",
            "StatelessCase", "Switch", "Merge", "Enter", "Exit", "NextIteration", "LoopCond", "ControlTrigger",
            "StopGradient", "PreventGradient", "Snapshot", "CheckNumerics", "CheckNumericsV2", "EnsureShape",
            "Assert", "OptionalFromValue", "OptionalGetValue", "OptionalHasValue", "OptionalNone",
            // shapes and arrays
            "Reshape", "Shape", "ShapeN", "Size", "Rank", "ExpandDims", "Squeeze", "Pack", "Unpack", "Concat",
            "ConcatV2", "ConcatOffset", "Split", "SplitV", "Slice", "StridedSlice", "Tile", "Fill", "ZerosLike",
            "OnesLike", "Transpose", "ConjugateTranspose", "Reverse", "ReverseV2", "ReverseSequence", "Gather",
            "GatherV2", "GatherNd", "ScatterNd", "TensorScatterUpdate", "TensorScatterAdd", "TensorScatterSub",
            "TensorScatterMax", "TensorScatterMin", "Where", "Select", "SelectV2", "Cast", "Bitcast", "Pad",
            "PadV2", "MirrorPad", "BroadcastTo", "BroadcastArgs", "BroadcastGradientArgs", "Range", "LinSpace",
            "OneHot", "Unique", "UniqueV2", "UniqueWithCounts", "Bucketize", "InvertPermutation", "ListDiff",
            "SpaceToBatchND", "BatchToSpaceND", "SpaceToBatch", "BatchToSpace", "SpaceToDepth", "DepthToSpace",
            "MatrixBandPart", "MatrixDiag", "MatrixDiagV2", "MatrixDiagV3", "MatrixDiagPart", "MatrixDiagPartV2",
            "MatrixDiagPartV3", "MatrixSetDiag", "MatrixSetDiagV2", "MatrixSetDiagV3", "Diag", "DiagPart",
            "TopKV2", "InTopKV2", "Einsum", "DynamicStitch", "ParallelDynamicStitch", "DynamicPartition",
            "SearchSorted", "LowerBound", "UpperBound", "Roll", "HistogramFixedWidth", "Bincount", "DenseBincount",
            // arithmetic and reductions
            "Add", "AddV2", "AddN", "Sub", "Mul", "MulNoNan", "Div", "DivNoNan", "RealDiv", "FloorDiv", "FloorMod",
            "TruncateDiv", "TruncateMod", "Mod", "Pow", "Maximum", "Minimum", "Neg", "Abs", "Sign", "Square", "Sqrt",
            "Rsqrt", "Exp", "Expm1", "Log", "Log1p", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Atan2", "Sinh",
            "Cosh", "Tanh", "Asinh", "Acosh", "Atanh", "Sigmoid", "Erf", "Erfc", "Erfinv", "Ndtri", "Floor", "Ceil",
            "Round", "Rint", "Reciprocal", "Inv", "SquaredDifference", "IsNan", "IsInf", "IsFinite", "Equal",
            "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual", "ApproximateEqual", "LogicalAnd",
            "LogicalOr", "LogicalNot", "BitwiseAnd", "BitwiseOr", "BitwiseXor", "Invert", "LeftShift", "RightShift",
            "PopulationCount", "Sum", "Mean", "Max", "Min", "Prod", "All", "Any", "ArgMax", "ArgMin", "Cumsum",
            "Cumprod", "CumulativeLogsumexp", "EuclideanNorm", "MatMul", "BatchMatMul", "BatchMatMulV2",
            "BatchMatMulV3", "SparseMatMul", "Softplus", "Softsign", "ClipByValue", "Lgamma", "Digamma", "Xlogy",
            "Xlog1py", "Xdivy", "SegmentSum", "SegmentMean", "SegmentMax", "SegmentMin", "SegmentProd",
            "UnsortedSegmentSum", "UnsortedSegmentMax", "UnsortedSegmentMin", "UnsortedSegmentProd", "Cross",
            "L2Loss", "MatrixInverse", "MatrixDeterminant", "Cholesky", "Qr", "Svd", "SelfAdjointEigV2",
            "MatrixTriangularSolve", "MatrixSolve", "BesselI0e", "BesselI1e", "Igamma", "Igammac", "Betainc",
            "Complex", "Real", "Imag", "ComplexAbs", "Angle", "Conj", "FFT", "IFFT", "RFFT", "IRFFT", "FFT2D",
            "IFFT2D", "RFFT2D", "IRFFT2D",
            // neural network layers
            "Relu", "Relu6", "Elu", "Selu", "LeakyRelu", "Softmax", "LogSoftmax", "BiasAdd", "BiasAddV1", "Conv2D",
            "Conv3D", "Conv2DBackpropInput", "Conv3DBackpropInputV2", "DepthwiseConv2dNative",
            "DepthwiseConv2dNativeBackpropInput", "MaxPool", "MaxPoolV2", "MaxPool3D", "AvgPool", "AvgPool3D",
            "MaxPoolWithArgmax", "FractionalMaxPool", "FractionalAvgPool", "FusedBatchNorm", "FusedBatchNormV2",
            "FusedBatchNormV3", "BatchNormWithGlobalNormalization", "LRN", "Dilation2D", "ExtractImagePatches",
            "_FusedMatMul", "_FusedConv2D", "_FusedDepthwiseConv2dNative", "_FusedBatchNormEx",
            "QuantizeV2", "Dequantize", "FakeQuantWithMinMaxVars", "FakeQuantWithMinMaxVarsPerChannel",
            "FakeQuantWithMinMaxArgs", "QuantizeAndDequantizeV2", "QuantizeAndDequantizeV3",
            "QuantizeAndDequantizeV4", "CTCGreedyDecoder", "CTCBeamSearchDecoder",
            // images, in memory
            "ResizeBilinear", "ResizeNearestNeighbor", "ResizeBicubic", "ResizeArea", "ScaleAndTranslate",
            "CropAndResize", "NonMaxSuppression", "NonMaxSuppressionV2", "NonMaxSuppressionV3",
            "NonMaxSuppressionV4", "NonMaxSuppressionV5", "CombinedNonMaxSuppression", "RGBToHSV", "HSVToRGB",
            "AdjustContrastv2", "AdjustHue", "AdjustSaturation", "DecodeJpeg", "DecodePng", "DecodeBmp",
            "DecodeGif", "DecodeImage", "DecodeAndCropJpeg", "EncodeJpeg", "EncodePng", "ExtractJpegShape",
            "ImageProjectiveTransformV2", "ImageProjectiveTransformV3", "DrawBoundingBoxesV2",
            // strings
            "StringJoin", "StringSplit", "StringSplitV2", "StringToNumber", "AsString", "RegexReplace",
            "StaticRegexReplace", "RegexFullMatch", "StaticRegexFullMatch", "StringLower", "StringUpper",
            "StringStrip", "StringLength", "Substr", "StringToHashBucket", "StringToHashBucketFast",
            "StringToHashBucketStrong", "ReduceJoin", "StringFormat", "DecodeBase64", "EncodeBase64", "DecodeRaw",
            "DecodeCSV", "UnicodeDecode", "UnicodeDecodeWithOffsets", "UnicodeEncode", "UnicodeScript",
            "UnicodeTranscode", "StringNGrams", "Fingerprint", "ShardedFilename", "ShardedFilespec",
            // sparse
            "SparseToDense", "SparseTensorDenseMatMul", "SparseReshape", "SparseFillEmptyRows",
            "SparseSegmentSum", "SparseSegmentMean", "SparseSegmentSqrtN", "SparseSegmentSumWithNumSegments",
            "SparseSegmentMeanWithNumSegments", "SparseSegmentSqrtNWithNumSegments", "SparseReduceSum",
            "SparseAdd", "SparseConcat", "SparseSlice", "SparseReorder",
            "RaggedTensorToTensor", "RaggedTensorFromVariant", "RaggedTensorToVariant", "RaggedGather",
            "RaggedRange", "RaggedTensorToSparse",
            // lists and arrays of tensors
            "TensorListReserve", "TensorListFromTensor", "TensorListStack", "TensorListGetItem",
            "TensorListSetItem", "TensorListLength", "TensorListElementShape", "TensorListPushBack",
            "TensorListPopBack", "TensorListConcatV2", "TensorListSplit", "TensorListGather", "TensorListScatter",
            "TensorListScatterIntoExistingList", "TensorListResize", "EmptyTensorList", "TensorArrayV3",
            "TensorArrayReadV3", "TensorArrayWriteV3", "TensorArrayGatherV3", "TensorArrayScatterV3",
            "TensorArraySizeV3", "TensorArrayConcatV3", "TensorArraySplitV3", "TensorArrayCloseV3",
            // variables, resources and lookup tables held in memory
            "VarHandleOp", "ReadVariableOp", "AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp",
            "VarIsInitializedOp", "DestroyResourceOp", "ResourceGather", "ResourceGatherNd", "VariableV2",
            "Variable", "Assign", "AssignAdd", "AssignSub", "IsVariableInitialized", "HashTable", "HashTableV2",
            "MutableHashTable", "MutableHashTableV2", "MutableDenseHashTableV2", "LookupTableFind",
            "LookupTableFindV2", "LookupTableImportV2", "LookupTableInsertV2", "LookupTableSizeV2",
            "LookupTableExportV2", "InitializeTable", "InitializeTableV2",
            // random numbers
            "RandomUniform", "RandomUniformInt", "RandomStandardNormal", "TruncatedNormal", "Multinomial",
            "RandomShuffle", "StatelessRandomUniform", "StatelessRandomUniformV2", "StatelessRandomUniformInt",
            "StatelessRandomUniformIntV2", "StatelessRandomNormal", "StatelessRandomNormalV2",
            "StatelessTruncatedNormal", "StatelessTruncatedNormalV2", "StatelessRandomGetKeyCounter",
            "StatelessRandomGetKeyCounterAlg", "StatelessRandomGetAlg", "StatelessMultinomial");
}
