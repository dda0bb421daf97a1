// A click on a gallery figure opens it at full size: each figure image
// is wrapped in a link to its largest file (the 2x one of its srcset).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(
    "img.sphx-glr-single-img, img.sphx-glr-multi-img"
  ).forEach(function (image) {
    if (image.closest("a")) {
      return;
    }
    var largest = image.getAttribute("src");
    var srcset = image.getAttribute("srcset");
    if (srcset) {
      var candidates = srcset.split(",").map(function (entry) {
        var parts = entry.trim().split(/\s+/);
        return { url: parts[0], scale: parseFloat(parts[1] || "1") };
      });
      candidates.sort(function (a, b) { return b.scale - a.scale; });
      largest = candidates[0].url;
    }
    var link = document.createElement("a");
    link.href = largest;
    link.className = "sidebyside-zoom";
    link.title = "open the figure at full size";
    image.parentNode.insertBefore(link, image);
    link.appendChild(image);
  });
});
