/* The TFS partition of a GPT disk (a `unibuild build --format disk` disk: an EFI system
 * partition with the kernel, and the image in the partition whose type is TFS_PARTITION_TYPE). */
#pragma once
#include "block.h"

/* The disk itself when it holds no GPT (a plain TFS image, as `unibuild build` writes), else a
 * block device over its TFS partition. A GPT with no TFS partition, or a damaged one, is a
 * kernel error naming the disk. */
struct block_device *gpt_tfs_partition(struct block_device *disk);
