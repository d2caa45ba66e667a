// C++ as a Linux program uses it: iostream, std::string, containers and
// algorithms, exceptions thrown in a shared library (ours, and libstdc++'s
// own) and caught here, std::thread, std::mutex, std::condition_variable,
// thread_local, std::async, and a static destructor at exit. The output is
// the same on every run, so that Linux and Kite can be compared.
#include <algorithm>
#include <condition_variable>
#include <future>
#include <iomanip>
#include <iostream>
#include <map>
#include <mutex>
#include <numeric>
#include <sstream>
#include <thread>
#include <vector>

#include "shapes.h"

static thread_local int tls_value = 5;

struct announcer {
	~announcer() { std::cout << "static destructor ran" << std::endl; }
} at_exit_announcer;

static void shapes_and_exceptions()
{
	const char *descriptions[] = { "circle 1", "rect 3 4", "square 2", "triangle 3", "rect 0 5", "circle 0.5" };
	for (const char *d : descriptions) {
		try {
			auto s = parse_shape(d);
			std::cout << std::left << std::setw(10) << s->name() << " area " << std::fixed
				  << std::setprecision(3) << s->area() << '\n';
		} catch (const bad_shape &e) {
			std::cout << "bad_shape (code " << e.code << "): " << e.what() << '\n';
		}
	}
	std::cout << "the library made " << shapes_made() << " shapes\n";

	// Thrown inside libstdc++.so, caught here.
	std::vector<int> v{ 1, 2, 3 };
	try {
		std::cout << v.at(10) << '\n';
	} catch (const std::out_of_range &e) {
		std::cout << "out_of_range caught: " << (std::string(e.what()).find("vector") != std::string::npos ? "about vector" : e.what()) << '\n';
	}
	try {
		std::string s("abc");
		s.substr(10);
	} catch (const std::exception &e) {
		std::cout << "std::exception caught from substr\n";
	}
	// Rethrow through a nested handler.
	try {
		try {
			throw std::runtime_error("inner");
		} catch (...) {
			std::throw_with_nested(std::logic_error("outer"));
		}
	} catch (const std::logic_error &e) {
		std::cout << "nested: " << e.what();
		try {
			std::rethrow_if_nested(e);
		} catch (const std::runtime_error &inner) {
			std::cout << " <- " << inner.what() << '\n';
		}
	}
}

static void strings_and_containers()
{
	std::string text = "the quick brown fox jumps over the lazy dog the end";
	std::istringstream in(text);
	std::map<std::string, int> counts;
	for (std::string w; in >> w;)
		counts[w]++;
	std::vector<std::pair<std::string, int>> sorted(counts.begin(), counts.end());
	std::stable_sort(sorted.begin(), sorted.end(), [](auto &a, auto &b) { return a.second > b.second; });
	std::cout << "most common: '" << sorted[0].first << "' x" << sorted[0].second << ", " << counts.size()
		  << " distinct words\n";
	std::string upper = text.substr(4, 11);
	std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
	std::cout << "upper: " << upper << ", length " << text.size() << '\n';
	std::vector<long> squares(20);
	std::iota(squares.begin(), squares.end(), 1);
	for (auto &x : squares)
		x *= x;
	std::cout << "sum of squares 1..20 = " << std::accumulate(squares.begin(), squares.end(), 0L) << '\n';
}

static void threads()
{
	std::mutex m;
	long total = 0;
	std::vector<std::thread> workers;
	std::vector<int> library_counters(6), tls_seen(6);
	for (int t = 0; t < 6; t++)
		workers.emplace_back([&, t] {
			int mine = 0;
			for (int i = 0; i < 10000; i++) {
				std::lock_guard<std::mutex> g(m);
				total++;
				mine++;
			}
			tls_value += t;
			tls_seen[t] = tls_value;
			int c = 0;
			for (int i = 0; i < 3; i++)
				c = library_thread_counter_bump();
			library_counters[t] = c;
		});
	for (auto &w : workers)
		w.join();
	std::cout << "6 std::threads x 10000 under a std::mutex: " << total << '\n';
	std::cout << "thread_local here:";
	for (int v : tls_seen)
		std::cout << ' ' << v;
	std::cout << "; in the library:";
	for (int v : library_counters)
		std::cout << ' ' << v;
	std::cout << "; main's still " << tls_value << '\n';

	// A condition variable hand-off.
	std::condition_variable cv;
	bool ready = false;
	int answer = 0;
	std::thread producer([&] {
		std::lock_guard<std::mutex> g(m);
		answer = 42;
		ready = true;
		cv.notify_one();
	});
	{
		std::unique_lock<std::mutex> lk(m);
		cv.wait(lk, [&] { return ready; });
	}
	producer.join();
	std::cout << "condition_variable delivered " << answer << '\n';

	// An exception thrown in another thread, carried by a future.
	auto f = std::async(std::launch::async, [] {
		parse_shape("hexagon");
		return 1;
	});
	try {
		f.get();
	} catch (const bad_shape &e) {
		std::cout << "exception from another thread: " << e.what() << '\n';
	}
}

int main()
{
	std::ios::sync_with_stdio(true);
	shapes_and_exceptions();
	strings_and_containers();
	threads();
	std::cout << "done" << std::endl;
	return 0;
}
