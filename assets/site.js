/* Small enhancements for every page: copy buttons, sharing, and the calendar's date jump.
   Everything works without this script: the controls it drives stay hidden until it runs. */
(function () {
  "use strict";

  var timers = new WeakMap();

  // Put a message in a live region. It is emptied first, so the same message said twice is
  // announced twice, and cleared after a while, so a stale message is not read out later.
  function announce(el, text) {
    if (!el) { return; }
    window.clearTimeout(timers.get(el));
    el.textContent = "";
    timers.set(el, window.setTimeout(function () {
      el.textContent = text;
      timers.set(el, window.setTimeout(function () { el.textContent = ""; }, 5000));
    }, 50));
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Pages opened from a folder or over plain http: the older copy command, via a hidden
    // text area; focus goes back to where it was so a keyboard user keeps their place.
    return new Promise(function (resolve, reject) {
      var focused = document.activeElement;
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      if (focused) { focused.focus(); }
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  function permalink() {
    var canonical = document.querySelector('link[rel="canonical"]');
    return canonical ? canonical.href : window.location.href;
  }

  // <button data-copy="#id" data-status="id"> copies the text of the element #id.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) { return; }
    var status = document.getElementById(button.getAttribute("data-status"));
    button.hidden = false;
    button.addEventListener("click", function () {
      copyText(source.textContent.trim()).then(function () {
        announce(status, "已复制：" + button.textContent.replace(/^复制/, ""));
      }, function () {
        announce(status, "复制失败，请手动选择文字复制");
      });
    });
  });

  // <button data-share> opens the system share sheet where there is one, else copies the link.
  document.querySelectorAll("button[data-share]").forEach(function (button) {
    var status = document.getElementById(button.getAttribute("data-status"));
    button.hidden = false;
    button.addEventListener("click", function () {
      var url = permalink();
      var copy = function () {
        copyText(url).then(function () { announce(status, "链接已复制"); },
                           function () { announce(status, "复制失败，请手动复制永久链接"); });
      };
      if (typeof navigator.share !== "function") { copy(); return; }
      navigator.share({ title: document.title, url: url }).catch(function (error) {
        if (!error || error.name !== "AbortError") { copy(); }   // cancelled by the reader: nothing to do
      });
    });
  });

  // The calendar's "jump to a date": go to that day's issue, or to the nearest one (the earlier
  // of two equally near), saying so first. The issue dates of every year are in one small file
  // (archive/dates.json: the first date, then the days from each to the next), fetched once,
  // when the reader first jumps.
  var jump = document.querySelector("form[data-calendar-jump]");
  if (jump) {
    var status = document.getElementById("jump-status");
    var DAY = 86400000;
    var dates = null;
    var loadDates = function () {
      if (!dates) {
        dates = fetch(jump.getAttribute("data-dates")).then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.json();
        }).then(function (data) {
          var day = data.first ? Date.parse(data.first) / DAY : null;
          var days = day === null ? [] : [day];
          data.gaps.forEach(function (gap) { day += gap; days.push(day); });
          return days;
        });
        dates.catch(function () { dates = null; });   // tried again on the next jump
      }
      return dates;
    };
    var iso = function (day) { return new Date(day * DAY).toISOString().slice(0, 10); };
    jump.hidden = false;
    jump.addEventListener("submit", function (event) {
      event.preventDefault();
      var wanted = jump.elements.date.value;
      var time = Date.parse(wanted);
      if (isNaN(time)) { announce(status, "请选择一个日期"); return; }
      var target = time / DAY;
      loadDates().then(function (days) {
        if (!days.length) { announce(status, "还没有报道"); return; }
        var best = days[0];
        days.forEach(function (d) { if (Math.abs(d - target) < Math.abs(best - target)) { best = d; } });
        var date = iso(best);
        var href = jump.getAttribute("data-root") + date.replace(/-/g, "/") + "/";
        if (date === wanted) {
          window.location.href = href;
          return;
        }
        announce(status, wanted + " 没有报道，正在前往最近的一期：" + date);
        window.setTimeout(function () { window.location.href = href; }, 1500);
      }, function () {
        announce(status, "无法载入各期日期，请稍后再试，或在日历中选择");
      });
    });
  }
})();
