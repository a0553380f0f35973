// The one translation unit that compiles Asio and Beast (separate compilation).
// Every other file sees only their declarations, which keeps builds fast.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
