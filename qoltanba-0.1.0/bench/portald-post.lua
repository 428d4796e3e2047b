-- wrk script for bench/portald.sh: POSTs one line of BODIES per request
-- (each thread takes its own share, so no body is sent twice) to PATH,
-- or, with BODIES empty and NUMBERS set, POSTs to
-- /api/v1/ra/applications/<number>/approve with the bearer TOKEN.
-- Counts answers by status; done() prints them.
local threads = {}
local counter = 0

function setup(thread)
	thread:set("id", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

function init(args)
	nthreads = counter
	items = {}
	local file = os.getenv("BODIES") ~= "" and os.getenv("BODIES") or os.getenv("NUMBERS")
	local i = 0
	for line in io.lines(file) do
		if i % tonumber(os.getenv("NTHREADS")) == id then
			table.insert(items, line)
		end
		i = i + 1
	end
	pos = 0
	ok, other, exhausted = 0, 0, 0
	approving = os.getenv("BODIES") == ""
end

function request()
	pos = pos + 1
	local item = items[pos]
	if item == nil then
		exhausted = exhausted + 1
		item = items[#items]
	end
	if approving then
		return wrk.format("POST", "/api/v1/ra/applications/" .. item .. "/approve",
			{ ["Authorization"] = "Bearer " .. os.getenv("TOKEN") }, "")
	end
	return wrk.format("POST", "/api/v1/applications",
		{ ["Content-Type"] = "application/json" }, item)
end

function response(status, headers, body)
	if status == 201 or status == 200 then
		ok = ok + 1
	else
		other = other + 1
	end
end

function done(summary, latency, requests)
	local o, x, e = 0, 0, 0
	for _, t in ipairs(threads) do
		o = o + t:get("ok")
		x = x + t:get("other")
		e = e + t:get("exhausted")
	end
	io.write(string.format("answers: ok=%d other=%d exhausted=%d\n", o, x, e))
end
