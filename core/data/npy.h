#pragma once
// NumPy's .npy files (format versions 1.0, 2.0 and 3.0), the form the MTAN and LibMTL code keep
// preprocessed NYUv2 and Cityscapes in: a header naming the element type and the shape, then the
// values in C order. readNpy() checks the header against the file's size before it reads a value.

#include <cstdint>
#include <string>
#include <vector>

namespace mtl::data {

enum class NpyType { Bool, UInt8, Int8, UInt16, Int16, UInt32, Int32, Int64, Float32, Float64 };
// NumPy's name of the type: "float32", "uint8", …
const char *toString(NpyType type);
std::size_t byteSize(NpyType type);

struct NpyArray {
    NpyType type = NpyType::Float32;
    std::vector<std::int64_t> shape;
    std::vector<unsigned char> bytes; // count() values in C order, in this machine's byte order

    std::int64_t count() const;
    bool isFloat() const { return type == NpyType::Float32 || type == NpyType::Float64; }
    // Value i converted to double.
    double value(std::size_t i) const;
    std::string shapeText() const; // "(288, 384, 3)", as NumPy prints it
};

// Throws Error(InvalidInput) naming `path` for a file that is not .npy, a header that does not
// parse, a type other than the ones above (or a structured one), Fortran order, or data shorter
// or longer than the shape says; Error(Io) when it cannot be read.
NpyArray readNpy(const std::string &path);
// The same for bytes in memory; `source` names them in errors.
NpyArray parseNpy(const void *data, std::size_t size, const std::string &source);

// A version 1.0 file of `array`, little-endian: what NumPy's np.save writes. For fixtures and
// exports.
std::string encodeNpy(const NpyArray &array);

} // namespace mtl::data
