// The shared library's interface: shapes, and an exception it throws that the
// program catches (across the library boundary).
#pragma once
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

struct bad_shape : std::runtime_error {
	explicit bad_shape(const std::string &what, int code) : std::runtime_error(what), code(code) {}
	int code;
};

class shape {
public:
	virtual ~shape();
	virtual double area() const = 0;
	virtual std::string name() const = 0;
};

// Parses "circle 2", "rect 3 4", "square 5"; throws bad_shape otherwise.
std::unique_ptr<shape> parse_shape(const std::string &description);

// How many shapes the library has made (a counter kept in the library).
long shapes_made();

// A thread-local counter kept in the library (its own TLS segment).
int library_thread_counter_bump();
